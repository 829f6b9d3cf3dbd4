// Node's spec reporter, then one plain closing line, "N passed, N failed, N skipped", that CI logs
// recognise whatever the runner. Suites are not counted, only tests. One reporter on purpose: with
// --test-force-exit a second reporter on the same stream loses its last line when the runner exits.
import { spec as SpecReporter } from 'node:test/reporters';

export default async function* specWithSummary(source) {
  const spec = new SpecReporter();
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.details?.type !== 'suite') {
      if (event.data.skip || event.data.todo) skipped++;
      else if (event.type === 'test:pass') passed++;
      else failed++;
    }
    spec.write(event);
    for (let chunk = spec.read(); chunk !== null; chunk = spec.read()) yield chunk;
  }
  spec.end();
  for await (const chunk of spec) yield chunk;
  yield `${passed} passed, ${failed} failed, ${skipped} skipped\n`;
}
