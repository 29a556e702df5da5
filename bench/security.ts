/**
 * Group `security`: what the broker's security costs.
 *
 *   scrypt                 one login's scrypt check on this machine, alone and with the thread pool full
 *   connectStorm           devices authenticating at once with the production scrypt cost (tens of ms
 *                          of CPU per login, see scrypt), a bounded number so the run takes about a minute;
 *                          extrapolated10kSeconds scales that linearly to 10,000 devices (an estimate,
 *                          not a measurement: logins are CPU-bound, so the scaling is close to linear)
 *   connectStormAnonymous  10,000 devices without authentication: the cost of the connections alone
 *   throughput             one device -> the helpdesk, QoS 1, security off versus authentication + ACL
 *                          + contract validation on (and on without validation), in the same run;
 *                          costPercent = how much of the measured throughput the checks cost (goal:
 *                          < 15; median of per-round pairs). One mqtt.js publisher and subscriber are
 *                          slower than aedes, so this end-to-end figure is client-bound and swings with
 *                          other load on the machine; brokerCapacityCostPercent is the cost where the
 *                          broker is the bottleneck: 1 - (CPU/message off) / (CPU/message on), steadier
 *   validConnectUnderStorm one valid device CONNECT (production scrypt) while 500 wrong-secret clients
 *                          from another loopback address reconnect as soon as they are refused, against
 *                          validConnectUnloadedMs in the same run (goal < 1000 ms; 26 s before throttling)
 *   validLoginUnderStorm   one valid dashboard login while 500 wrong-password logins from the same
 *                          address run, against validLoginUnloadedMs in the same run (goal < 1000 ms;
 *                          13.4 s before); NewNameMs: a staff member never seen from that address
 *   helpdeskRssMBAfter2000Offers  RSS growth of a helpdesk process after one device's 2,000 flex
 *                          offers, against 2,000 telemetry messages (…Baseline) in the same run (goal
 *                          <= +20 MB; +358 MB before), and one page of GET /loads afterwards (loadsListMs)
 *
 * The clients run in a process of their own, so heap and CPU figures are the broker's.
 * EVERNET_BENCH_STORM_DEVICES sets the authenticated storm's size (default 1,000).
 * EVERNET_BENCH_SECURITY_ONLY=storm|login|offers runs only that part.
 */
import { round } from '../contracts/round.js';
import { startClients } from './security/child.js';
import { connectUnderStorm } from './security/connect-under-storm.js';
import { loginUnderStorm } from './security/login-under-storm.js';
import { gcAvailable } from './security/memory.js';
import { offersMemory } from './security/offers-memory.js';
import { scryptCost } from './security/scrypt.js';
import { connectStorm } from './security/storm.js';
import { securityThroughput } from './security/throughput.js';

const AUTH_STORM_DEVICES = Number(process.env.EVERNET_BENCH_STORM_DEVICES ?? 1000);
const ANONYMOUS_STORM_DEVICES = 10_000;


/** The dashboard login under a storm of 500 bad logins (security/login-under-storm.ts); EVERNET_BENCH_SECURITY_ONLY=login runs only this. */
async function loginFigures(): Promise<Record<string, number>> {
  process.stderr.write('bench: security: dashboard login under a storm of 500 bad logins...\n');
  const l = await loginUnderStorm({ storm: 500, rounds: 3 });
  return {
    'security.validLoginUnloadedMs': round(l.unloadedMs, 1),
    'security.validLoginUnderStormMs': round(l.underStormMs, 1),
    'security.validLoginUnderStormNewNameMs': round(l.underStormNewNameMs, 1),
    'security.loginStorm.refused': l.stormRefused,
    'security.loginStorm.failed': l.stormFailed,
  };
}

export async function benchSecurity(): Promise<Record<string, number | null>> {
  // one device's 2,000 flex offers against a helpdesk process (security/offers-memory.ts); =offers runs only this
  if (process.env.EVERNET_BENCH_SECURITY_ONLY === 'offers') return offersMemory();
  if (process.env.EVERNET_BENCH_SECURITY_ONLY === 'login') return loginFigures();
  // a valid device CONNECT under 500 wrong secrets (security/connect-under-storm.ts); =storm runs only this
  if (process.env.EVERNET_BENCH_SECURITY_ONLY === 'storm') return connectUnderStorm();
  if (!gcAvailable) process.stderr.write('bench: security: no gc available, heap figures are noisy\n');
  const clients = startClients();
  try {
    const scrypt = await scryptCost();
    process.stderr.write(`bench: security: connect storm, ${AUTH_STORM_DEVICES} authenticated devices...\n`);
    const auth = await connectStorm(clients, { devices: AUTH_STORM_DEVICES, authenticated: true, concurrency: 100 });
    process.stderr.write(`bench: security: connect storm, ${ANONYMOUS_STORM_DEVICES} anonymous devices...\n`);
    const anon = await connectStorm(clients, { devices: ANONYMOUS_STORM_DEVICES, authenticated: false, concurrency: 500 });
    process.stderr.write('bench: security: throughput off / on...\n');
    const { modes: t, ...cost } = await securityThroughput(clients, { count: 30_000, rounds: 9, window: 500 });
    const login = await loginFigures();
    const offers = await offersMemory();
    const connect = await connectUnderStorm();
    return {
      ...login,
      ...offers,
      ...connect,
      'security.scrypt.msPerLogin': round(scrypt.msPerLogin, 1),
      'security.scrypt.loginsPerSecond': round(scrypt.loginsPerSecond, 1),
      'security.connectStorm.devices': auth.devices,
      'security.connectStorm.failed': auth.failed,
      'security.connectStorm.seconds': round(auth.seconds, 3),
      'security.connectStorm.connectsPerSecond': round(auth.connectsPerSecond, 1),
      'security.connectStorm.brokerHeapMb': round(auth.brokerHeapMb, 1),
      'security.connectStorm.brokerKbPerDevice': round((auth.brokerHeapMb * 1024) / auth.devices, 1),
      'security.connectStorm.extrapolated10kSeconds': round((auth.seconds * 10_000) / auth.devices, 1),
      'security.connectStormAnonymous.devices': anon.devices,
      'security.connectStormAnonymous.failed': anon.failed,
      'security.connectStormAnonymous.seconds': round(anon.seconds, 3),
      'security.connectStormAnonymous.connectsPerSecond': round(anon.connectsPerSecond, 1),
      'security.connectStormAnonymous.brokerHeapMb': round(anon.brokerHeapMb, 1),
      'security.connectStormAnonymous.brokerKbPerDevice': round((anon.brokerHeapMb * 1024) / anon.devices, 1),
      'security.throughput.offMessagesPerSecond': Math.round(t.off.messagesPerSecond),
      'security.throughput.onMessagesPerSecond': Math.round(t.on.messagesPerSecond),
      'security.throughput.onWithoutValidationMessagesPerSecond': Math.round(t.onWithoutValidation.messagesPerSecond),
      'security.throughput.costPercent': round(cost.costPercent, 1),
      'security.throughput.offBrokerCpuUsPerMessage': round(t.off.brokerCpuUsPerMessage, 2),
      'security.throughput.onBrokerCpuUsPerMessage': round(t.on.brokerCpuUsPerMessage, 2),
      'security.throughput.onWithoutValidationBrokerCpuUsPerMessage': round(t.onWithoutValidation.brokerCpuUsPerMessage, 2),
      // what the checks take off the broker's capacity where the broker, not the clients, is the bottleneck
      'security.throughput.brokerCapacityCostPercent': round(cost.brokerCapacityCostPercent, 1),
    };
  } finally {
    await clients.stop();
  }
}
