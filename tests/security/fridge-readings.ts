/**
 * The fridge's valid readings around a corpus run: a first one before the corpus (so the sequence
 * cases have something to repeat or skip) and one after each corpus message, which must go through.
 * Keeps each sender's latest seq and time (what the corpus renders against) and how many messages the
 * helpdesk should have received so far, and waits until it has.
 */
import type { RunningHelpdesk } from './fixture.js';
import { remember, type CorpusMessage, type SenderState } from './corpus.js';
import { FRIDGE_TELEMETRY, T0, fridgeTelemetry, within } from './fixture.js';
import { nextValid } from './outcomes.js';

export interface FridgeReadings {
  /** each sender's latest seq and time */
  readonly state: SenderState;
  /** messages the helpdesk should have received so far */
  readonly expected: number;
  /** publishes the first valid reading and waits until the helpdesk has it */
  first(): Promise<void>;
  /** after corpus message `m` (handed to the helpdesk as `payload`, or not delivered): a valid reading, and waits until the helpdesk has both */
  after(m: CorpusMessage, payload: Buffer, delivered: boolean): Promise<void>;
}

/** `publish` sends a valid reading as the fridge. */
export function fridgeReadings(desk: () => RunningHelpdesk, publish: (payload: Buffer) => Promise<unknown>): FridgeReadings {
  const state: SenderState = new Map();
  let expected = 0;
  return {
    state,
    get expected() {
      return expected;
    },
    async first() {
      const first = Buffer.from(fridgeTelemetry(10, T0));
      await publish(first);
      await within(desk().helpdesk.received(++expected), 5000, 'the first reading');
      remember(state, FRIDGE_TELEMETRY, first);
    },
    async after(m, payload, delivered) {
      if (delivered && 'accepted' in m.expect) remember(state, m.topic, payload);
      const valid = nextValid(state);
      await publish(valid);
      // the valid reading is the sender's latest from here on, even if this case fails: no cascade
      remember(state, FRIDGE_TELEMETRY, valid);
      expected += (delivered && !('unseen' in m.expect) ? 1 : 0) + 1;
      await within(desk().helpdesk.received(expected), 5000, `${m.name} and the valid reading after it`);
    },
  };
}
