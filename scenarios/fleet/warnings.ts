/**
 * The scenario's warnings (events outside its window) name a path in the expanded scenario; a fleet
 * home is not in the file, so its warnings are told at the template they came from, once per template
 * and param with how many devices it concerns and one example, not once per home.
 */
import type { ScenarioIssue } from '../scenario-checks.js';
import type { ScenarioShape } from '../schema.js';
import type { FleetCounts } from './expand.js';

type Expanded = Pick<ScenarioShape, 'customers' | 'fleet'> & { fleetCounts?: FleetCounts };

export function fleetWarnings(s: Expanded, issues: ScenarioIssue[]): ScenarioIssue[] {
  if (!s.fleet || !s.fleetCounts) return issues;
  const listed = s.customers.length - s.fleetCounts.homes;
  const fleet = s.fleet;
  const out: ScenarioIssue[] = [];
  const grouped = new Map<string, { issue: ScenarioIssue; n: number }>();
  for (const issue of issues) {
    const [top, ci, devices, di, params, key] = issue.path;
    if (top !== 'customers' || typeof ci !== 'number' || ci < listed || devices !== 'devices' || typeof di !== 'number' || params !== 'params') {
      out.push(issue);
      continue;
    }
    const customer = s.customers[ci]!;
    const device = customer.devices[di]!;
    const suffix = device.id.slice(customer.id.length + 1);
    const ti = fleet.devices.findIndex((t) => suffix === t.id || (t.count > 1 && suffix.startsWith(`${t.id}-`) && /^\d+$/.test(suffix.slice(t.id.length + 1))));
    const path = key === 'faults' ? ['fleet', 'devices', ti, 'faults'] : ['fleet', 'devices', ti, 'params', key ?? ''];
    // one warning per template param and kind of problem: the times differ from home to home
    const where = `${path.join('.')}\n${issue.message.replace(/\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)/g, 't')}`;
    const g = grouped.get(where);
    if (g) g.n++;
    else grouped.set(where, { issue: { ...issue, path, message: `${device.id} (${issue.path.slice(5).join('.')}): ${issue.message}` }, n: 1 });
  }
  for (const { issue, n } of grouped.values()) {
    out.push(n === 1 ? issue : { ...issue, message: `${n} times in the fleet, e.g. ${issue.message}` });
  }
  return out;
}
