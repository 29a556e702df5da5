/**
 * Group `agents` (`npm run bench -- agents [--homes N]`, default 300): what the simulation itself costs a
 * device host, without the network. The agents of N homes of the bench fleet (bench/fleet-scenario.ts:
 * sampled every minute, reporting by exception with a 15-minute heartbeat) are moved window by window
 * (a minute) through the day as a host moves them (only those whose time has come are ticked), encoding
 * what they publish into their outboxes (not connected, one message deep: what a connection costs is the
 * fleet group's); and, in the same run, the same devices'
 * models alone, stepped every minute (no agent, no report policy, no message): the baseline.
 *
 *   agents.deviceDaysPerS         device-days the agents simulate per second of CPU
 *   agents.modelsDeviceDaysPerS   the same devices' models alone
 *   agents.usPerDeviceMinute      CPU µs an agent costs a minute of a device's day, its messages encoded included
 *   agents.modelsShare            the models' part of it
 *   agents.messagesPerDeviceDay   telemetry and events a device-day
 * Each the median of three runs: the machine is shared.
 */
import { round } from '../contracts/round.js';
import { createAgent, type Agent } from '../devices/agent.js';
import { KINDS } from '../devices/kinds/index.js';
import { silentLogger } from '../log/logger.js';
import { deviceSeed } from '../scenarios/engine/seed.js';
import { createTickSchedule } from '../scenarios/engine/tick-schedule.js';
import { agentTelemetryOptions } from '../scenarios/telemetry-options.js';
import { loadFleetScenario } from './fleet-scenario.js';
import { ownCpuSeconds } from './process-tree.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function cpuSecondsOf(run: () => void): number {
  const cpu = process.cpuUsage();
  run();
  return ownCpuSeconds(cpu);
}

export async function benchAgents(homes = 300): Promise<Record<string, number>> {
  const loaded = loadFleetScenario({ homes });
  const log = silentLogger();
  const stepMs = 60_000;
  const seedOf = (d: (typeof loaded.devices)[number]): number => deviceSeed(loaded.scenario.seed, d.customerId, d.id);
  let messages = 0;

  const agentsDay = (): number => {
    const movedTo = { at: -Infinity };
    const agents: Agent[] = loaded.devices.map((d) =>
      createAgent({
        customerId: d.customerId, deviceId: d.id, model: KINDS[d.kind], params: d.params, seed: seedOf(d),
        brokerUrl: 'mqtt://127.0.0.1:1', startAt: loaded.startMs, log, ...agentTelemetryOptions(loaded), lookAhead: true, movedTo,
        // an outbox of one: each message is dropped when the next comes (a host's go when acknowledged), so none piles up
        outboxCapacity: 1,
      }),
    );
    const s = cpuSecondsOf(() => {
      // as a host moves them: only the devices whose time has come are ticked (scenarios/engine/tick-schedule.ts)
      const schedule = createTickSchedule(agents, movedTo);
      for (let t = loaded.startMs + stepMs; t <= loaded.endMs; t += stepMs) schedule.tick(t);
    });
    messages = agents.reduce((n, a) => n + a.count('published'), 0);
    return s;
  };
  const modelsDay = (): number => {
    const devices = loaded.devices.map((d) => {
      const model = KINDS[d.kind];
      return { model, state: model.init(model.params.parse(d.params), seedOf(d), loaded.startMs) };
    });
    return cpuSecondsOf(() => {
      for (let t = loaded.startMs + stepMs; t <= loaded.endMs; t += stepMs) for (const d of devices) d.state = d.model.stepOwned(d.state, stepMs / 1000, t).state;
    });
  };

  agentsDay(); // warm up
  modelsDay();
  const agents: number[] = [];
  const models: number[] = [];
  for (let i = 0; i < 3; i++) {
    agents.push(agentsDay());
    models.push(modelsDay());
  }
  const deviceDays = (loaded.devices.length * (loaded.endMs - loaded.startMs)) / 86_400_000;
  return {
    'agents.homes': homes,
    'agents.devices': loaded.devices.length,
    'agents.deviceDaysPerS': round(deviceDays / median(agents), 0),
    'agents.modelsDeviceDaysPerS': round(deviceDays / median(models), 0),
    'agents.usPerDeviceMinute': round((median(agents) * 1e6) / (deviceDays * 1440), 2),
    'agents.modelsShare': round(median(models) / median(agents), 2),
    'agents.messagesPerDeviceDay': round(messages / deviceDays, 1),
  };
}
