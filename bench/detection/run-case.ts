/**
 * Runs one fault-suite case: the device model alone at 1 Hz, its telemetry through the helpdesk's
 * detectors (pure, the same code the helpdesk runs), no network. The run itself is the
 * counterfactual: nobody fixes anything, so `noticeableAt` is when the customer would notice.
 */
import { KINDS } from '../../devices/kinds/index.js';
import { createDetection } from '../../helpdesk/detect/detect.js';
import { stamp, type Telemetry } from '../../contracts/index.js';
import type { Case } from './cases.js';

export interface CaseResult {
  c: Case;
  /** first fire per detector kind, in order */
  tickets: Array<{ kind: string; openedAt: number }>;
  noticeableAt: number | null;
  readings: number;
}

export function runCase(c: Case): CaseResult {
  const model = KINDS[c.kind];
  const params = model.params.parse(c.params);
  let state = model.init(params, c.seed, c.startMs);
  const detection = createDetection();
  const open = new Set<string>();
  const tickets: CaseResult['tickets'] = [];
  let noticeableAt: number | null = null;
  const end = c.startMs + c.hours * 3_600_000;
  let seq = 0;
  for (let t = c.startMs + 1000; t <= end; t += 1000) {
    const r = model.step(state, 1, t);
    state = r.state;
    if (noticeableAt === null && c.injectAt !== null && t >= c.injectAt && model.noticeable(state)) noticeableAt = t;
    const tel = stamp({ kind: c.kind, readings: r.readings }, t, ++seq) as Telemetry;
    for (const s of detection.observe('dev', tel)) {
      // one ticket per incident: a kind opens again only after it cleared
      if (s.type === 'fire' && !open.has(s.kind)) {
        open.add(s.kind);
        tickets.push({ kind: s.kind, openedAt: s.at });
      } else if (s.type === 'clear') open.delete(s.kind);
    }
  }
  return { c, tickets, noticeableAt, readings: seq };
}
