/**
 * Telemetry for charts comes from the helpdesk's telemetry store (helpdesk/telemetry/chart.ts): the
 * readings as sent for windows up to 4 h, one-minute aggregates (joined into coarser buckets) for
 * longer ones, at most 1500 points either way.
 */

/** the longest window a device chart may ask for: 90 days, as long as the minutes are kept by default */
export const MAX_CHART_MINUTES = 90 * 24 * 60;
