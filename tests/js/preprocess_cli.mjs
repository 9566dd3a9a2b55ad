// For tests/test_preprocess_js.py: preprocess.js's modelInput on RGBA pixels the test decoded with Pillow.
//   node tests/js/preprocess_cli.mjs CASES.json
// CASES.json: [{name, rgba (a file of width * height * 4 bytes), width, height, imageSize, channels, digits}].
// Prints {name: {data: base64 of the model input} | {error: message, key}} as JSON.
import { readFileSync } from "node:fs";

import { modelInput } from "../../genimg/app/web/preprocess.js";

const results = {};
for (const job of JSON.parse(readFileSync(process.argv[2], "utf8"))) {
  const data = new Uint8Array(readFileSync(job.rgba));
  try {
    const input = modelInput({ width: job.width, height: job.height, data }, job.imageSize, job.channels, job.digits);
    const shape = [input.height, input.width, input.channels];
    results[job.name] = { data: Buffer.from(input.data).toString("base64"), shape };
  } catch (error) {
    results[job.name] = { error: error.message, key: error.key ?? null };
  }
}
process.stdout.write(JSON.stringify(results));
