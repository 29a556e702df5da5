/**
 * mqtt.js logs through the `debug` package: every packet in and out calls it, and each client without
 * a `log` option makes its own logger (≈ 1 KB a device in a fleet). Quiet unless asked for.
 */

/** no-op log for mqtt.js */
const quietMqtt = (): void => undefined;

/** a client's `log` option: mqtt.js' own debug log only when asked for (DEBUG=mqttjs*), as the `debug` package does */
export const mqttLog = (): { log?: (...args: unknown[]) => void } => (/mqttjs/.test(process.env.DEBUG ?? '') ? {} : { log: quietMqtt });
