/**
 * What staff do to a ticket, each one recorded on its timeline with who did it (the session's name):
 * POST /tickets/:id/{acknowledge, assign, contact, command, resolve, reopen}.
 * The body is checked here (400 with fields); the helpdesk checks the rest: 404 unknown ticket,
 * 409 a transition the ticket's state does not allow, 400 a command the contract rejects.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { StaffAction } from '../../staff-actions.js';
import { STAFF_NAME_RE } from '../../staff/store.js';
import { me } from '../auth.js';
import type { DashboardDeps } from '../deps.js';
import { HttpError, parse, WEB_ERR } from '../errors.js';
import { DEFAULT_SLA_MINUTES } from '../sla.js';
import { namesOf, ticketDetail } from '../views.js';
import type { EvnErrorCode } from '../../../contracts/errors.js';

const Note = z.string().trim().min(1, 'write a note').max(1000, 'at most 1000 characters');
const Id = z.object({ id: z.string() });
/** the helpdesk stamps these itself */
const ENVELOPE = new Set(['v', 'ts', 'seq', 'commandId']);

const BODIES = {
  acknowledge: z.strictObject({}).optional(),
  assign: z.strictObject({ to: z.string().regex(STAFF_NAME_RE, 'a staff name').optional() }).optional(),
  contact: z.strictObject({ text: z.string().trim().min(1, 'write a message or leave it out').max(500, 'at most 500 characters').optional() }).optional(),
  command: z.strictObject({ command: z.looseObject({ action: z.string({ error: 'choose an action' }).min(1, 'choose an action').max(40) }) }),
  resolve: z.strictObject({ note: Note }),
  reopen: z.strictObject({ note: Note }),
};
type Verb = keyof typeof BODIES;

/** how the API answers a staff action the helpdesk refused (the codes are the helpdesk's, the statuses the web's) */
const STATUS_OF_ACTION_ERROR: Partial<Record<EvnErrorCode, number>> = {
  EVN_ERR_TICKET_NOT_FOUND: 404,
  EVN_ERR_COMMAND_INVALID: 400,
  EVN_ERR_TICKET_STATE: 409,
  EVN_ERR_TICKET_TIME: 409,
  EVN_ERR_TICKET_STALE: 409,
};

export async function ticketActionRoutes(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  const { helpdesk } = deps;

  function toAction(verb: Verb, body: unknown, by: string): StaffAction {
    switch (verb) {
      case 'acknowledge':
        parse(BODIES.acknowledge, body);
        return { type: 'acknowledge' };
      case 'assign': {
        const to = parse(BODIES.assign, body)?.to ?? by;
        if (!deps.staff.names().some((n) => n.toLowerCase() === to.toLowerCase())) {
          throw new HttpError(400, WEB_ERR.INPUT, 'invalid body', { to: `no staff member '${to}'` });
        }
        return { type: 'assign', to };
      }
      case 'contact': {
        const text = parse(BODIES.contact, body)?.text;
        return text === undefined ? { type: 'contact' } : { type: 'contact', text };
      }
      case 'command': {
        const { command } = parse(BODIES.command, body);
        return { type: 'command', command: Object.fromEntries(Object.entries(command).filter(([k]) => !ENVELOPE.has(k))) };
      }
      case 'resolve':
        return { type: 'resolve', note: parse(BODIES.resolve, body).note };
      case 'reopen':
        return { type: 'reopen', note: parse(BODIES.reopen, body).note };
    }
  }

  for (const verb of Object.keys(BODIES) as Verb[]) {
    app.post(`/tickets/:id/${verb}`, async (req) => {
      const { id } = parse(Id, req.params, 'params');
      const by = me(req).name;
      const action = toAction(verb, req.body, by);
      const r = await helpdesk.act(id.slice(0, 100), action, by);
      if (!r.ok) {
        const fields = r.error.fields && verb === 'command' ? Object.fromEntries(Object.entries(r.error.fields).map(([k, v]) => [k === 'command' ? k : `command.${k}`, v])) : r.error.fields;
        throw new HttpError(STATUS_OF_ACTION_ERROR[r.error.code] ?? 409, r.error.code, r.error.reason, fields);
      }
      deps.log.info({ ticketId: id, action: verb, staff: by }, 'staff action');
      const now = helpdesk.now();
      return { now, ticket: ticketDetail(r.ticket, now, namesOf(helpdesk.devices()), deps.sla ?? DEFAULT_SLA_MINUTES) };
    });
  }
}
