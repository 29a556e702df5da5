export class UsageError extends Error {
  readonly code = 'EVN_ERR_USAGE';
}

export const USAGE = `evernet: connected devices, a proactive helpdesk, replayed on a virtual clock

Usage:
  evernet replay FILE [--report-json OUT] [--broker URL] [--db FILE] [--seed N] [--speed X | --fast]
  evernet help

  replay   replays a scenario (e.g. scenarios/day-in-2020.yaml) on an embedded MQTT broker,
           or on any broker given by --broker mqtt://host:port, and prints a summary.
           --fast (the default) runs as fast as the machine allows; --speed 60 runs 60x real time.
           --db FILE keeps the tickets in SQLite (default: in memory).
`;
