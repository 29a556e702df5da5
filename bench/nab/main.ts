/**
 * `npm run bench:nab -- --nab DIR [--out RESULTS_DIR] [--detector NAME]`
 *
 * Runs a streaming detector over every file of a Numenta Anomaly Benchmark directory, writes NAB's
 * results layout (RESULTS_DIR/<detector>/<category>/<detector>_<file>.csv) and scores it with NAB's
 * method (bench/nab/score.ts). Prints one JSON object on stdout; progress goes to stderr.
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCorpus, NabDirError } from './load.js';
import { DETECTORS, runNab } from './run.js';

export const USAGE = `usage: npm run bench:nab -- --nab DIR [--out RESULTS_DIR] [--detector NAME]
  --nab DIR        NAB directory: DIR/data/<category>/<file>.csv, DIR/labels/combined_windows.json,
                   DIR/config/profiles.json (required)
  --out DIR        results root, written as DIR/<detector>/<category>/<detector>_<file>.csv
                   (default: ${join(tmpdir(), 'evernet-nab-results')})
  --detector NAME  ${Object.keys(DETECTORS).join(' | ')} (default: evernetGeneral)`;

function main(argv: string[]): number {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        nab: { type: 'string' },
        out: { type: 'string' },
        detector: { type: 'string', default: 'evernetGeneral' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    process.stderr.write(`EVN_ERR_USAGE: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (!args.nab) {
    process.stderr.write(`EVN_ERR_NAB_DIR: --nab DIR is required: a NAB directory holding data/<category>/<file>.csv, labels/combined_windows.json and config/profiles.json\n${USAGE}\n`);
    return 2;
  }
  if (!(args.detector! in DETECTORS)) {
    process.stderr.write(`EVN_ERR_USAGE: unknown detector ${args.detector}; known: ${Object.keys(DETECTORS).join(', ')}\n`);
    return 2;
  }
  try {
    const corpus = loadCorpus(resolve(args.nab));
    const out = resolve(args.out ?? join(tmpdir(), 'evernet-nab-results'));
    const run = runNab(corpus, args.detector!, out, (l) => process.stderr.write(l + '\n'));
    process.stdout.write(JSON.stringify(run, null, 2) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof NabDirError) {
      process.stderr.write(e.message + '\n');
      return 2;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
