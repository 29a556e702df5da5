/** Files shipped with evernet, found relative to the package, wherever it is run from. */
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

export const PACKAGE_ROOT = root;
export const BUNDLED_TARIFF = fileURLToPath(new URL('../data/de-day-ahead-2020.csv', import.meta.url));
export const DEFAULT_WORLD = fileURLToPath(new URL('../scenarios/day-in-2020.yaml', import.meta.url));
