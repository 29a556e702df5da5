/**
 * Runs one fault-suite case: the device model alone at 1 Hz, its telemetry (every telemetryEveryS) and
 * events (as they happen) through the helpdesk's detectors (pure, the same code the helpdesk runs), no network. The run itself is the
 * counterfactual: nobody fixes anything, so `noticeableAt` is when the customer would notice.
 * With a board profile of its kind (boards.ts), the same telemetry then goes through the detection of
 * a device that measures only part of it: the physics detectors it can run and the general detector.
 */
import { KINDS } from '../../devices/kinds/index.js';
import { createDetection, type DeviceProfile } from '../../helpdesk/detect/detect.js';
import { stamp, type Telemetry } from '../../contracts/index.js';
import { BOARD_PROFILES } from './boards.js';
import type { Case } from './cases.js';

type Tickets = Array<{ kind: string; openedAt: number }>;

export interface CaseResult {
  c: Case;
  /** first fire per detector kind, in order */
  tickets: Tickets;
  noticeableAt: number | null;
  readings: number;
  /** the same telemetry through a board's detection (boards.ts), and the wall ms it took; null: no board of this kind */
  board: { tickets: Tickets; ms: number } | null;
}

/** Opens one ticket per incident: a kind opens again only after it cleared. */
function ticketing() {
  const open = new Set<string>();
  const tickets: Tickets = [];
  return {
    tickets,
    take(signals: ReturnType<ReturnType<typeof createDetection>['observe']>): void {
      for (const s of signals) {
        if (s.type === 'fire' && !open.has(s.kind)) {
          open.add(s.kind);
          tickets.push({ kind: s.kind, openedAt: s.at });
        } else if (s.type === 'clear') open.delete(s.kind);
      }
    },
  };
}

/** The same telemetry through the detection of a board that measures part of its kind, timed apart. */
function boardPass(profile: DeviceProfile) {
  const detection = createDetection();
  const t = ticketing();
  let ms = 0;
  return {
    observe(tel: Telemetry): void {
      const t0 = performance.now();
      t.take(detection.observe('board', tel, profile));
      ms += performance.now() - t0;
    },
    result: () => ({ tickets: t.tickets, ms }),
  };
}

export function runCase(c: Case): CaseResult {
  const model = KINDS[c.kind];
  const params = model.params.parse(c.params);
  let state = model.init(params, c.seed, c.startMs);
  const detection = createDetection();
  const t = ticketing();
  const profile = BOARD_PROFILES[c.kind];
  const board = profile ? boardPass(profile) : null;
  let noticeableAt: number | null = null;
  const end = c.startMs + c.hours * 3_600_000;
  let seq = 0;
  let k = 0;
  for (let ts = c.startMs + 1000; ts <= end; ts += 1000) {
    const r = model.step(state, 1, ts);
    state = r.state;
    if (noticeableAt === null && c.injectAt !== null && ts >= c.injectAt && model.noticeable(state)) noticeableAt = ts;
    // events go out as they happen (a car's crank), telemetry every telemetryEveryS
    for (const e of r.events) t.take(detection.observeEvent('dev', c.kind, ts, e));
    if (++k % c.telemetryEveryS !== 0) continue;
    const tel = stamp({ kind: c.kind, readings: r.readings }, ts, ++seq) as Telemetry;
    t.take(detection.observe('dev', tel));
    board?.observe(tel);
  }
  return { c, tickets: t.tickets, noticeableAt, readings: seq, board: board?.result() ?? null };
}
