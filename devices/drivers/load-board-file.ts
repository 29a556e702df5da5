/**
 * Reads a board file: YAML -> zod -> BoardConfig. Errors carry their place (file:line:column and
 * the path inside the file) and what was expected, e.g.
 *   boards/fridge.yaml:9:37 readings.doorOpen.pin: unknown pin 'D22': expected a digital pin: D2–D13 or A0–A5 on an Arduino Uno
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { BoardFile, type BoardConfig } from './board-file.js';
import { BOARD_ERR, BoardError } from './errors.js';

export interface BoardFileProblem {
  /** 1-based; 0 when the place is the whole file */
  line: number;
  column: number;
  path: string;
  message: string;
}

export type BoardFileResult = { ok: true; config: BoardConfig } | { ok: false; problems: BoardFileProblem[] };

/** Parses board-file text; never throws. */
export function parseBoardFile(text: string): BoardFileResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { line: pos.line, column: pos.col, path: '', message: `not valid YAML: ${e.message.split('\n')[0]}` };
      }),
    };
  }
  const result = BoardFile.safeParse(doc.toJS());
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, problems: result.error.issues.map((i) => problemAt(doc, lineCounter, i)) };
}

function problemAt(doc: ReturnType<typeof parseDocument>, lc: LineCounter, issue: z.core.$ZodIssue): BoardFileProblem {
  const path = issue.path.map(String);
  // the deepest node that exists on the path (a missing key points at its parent)
  let line = 0;
  let column = 0;
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lc.linePos(node.range[0]);
      line = pos.line;
      column = pos.col;
      break;
    }
  }
  return { line, column, path: path.join('.'), message: describe(issue) };
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}: check the spelling against docs/boards.md`;
  if (issue.code === 'invalid_type' && issue.input === undefined && !/missing/.test(issue.message)) return `missing ${String(issue.path.at(-1) ?? 'value')}: ${issue.message}`;
  return issue.message;
}

export function formatProblems(file: string, problems: BoardFileProblem[]): string {
  return problems.map((p) => `${file}${p.line ? `:${p.line}:${p.column}` : ''} ${p.path || '(file)'}: ${p.message}`).join('\n');
}

/** Reads and validates a board file; throws a BoardError (EVN_ERR_BOARD_FILE) listing every problem. */
export function loadBoardFile(file: string): BoardConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new BoardError(BOARD_ERR.BOARD_FILE, `cannot read board file ${file}: ${(e as Error).message}`);
  }
  const r = parseBoardFile(text);
  if (!r.ok) throw new BoardError(BOARD_ERR.BOARD_FILE, `${file} is not a valid board file:\n${formatProblems(file, r.problems)}`);
  return r.config;
}
