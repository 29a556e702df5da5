/**
 * Telemetry for charts comes from the helpdesk's telemetry store (helpdesk/telemetry/chart.ts): the
 * readings as sent for windows up to 4 h, one-minute aggregates (joined into coarser buckets) for
 * longer ones, at most 1500 points either way.
 */

/**
 * The longest window a device chart may ask for: 7 days (any 7 days of the 90 the minutes are kept).
 * A chart merges every minute of its window: 7 days take about 80 ms, 90 days would block the helpdesk
 * for most of a second.
 */
export const MAX_CHART_MINUTES = 7 * 24 * 60;
