/**
 * Pure recipe assistant: what is missing from the fridge for a recipe, and the nearest store that has all of it.
 * Names match case-insensitively (trimmed); units must match exactly (no conversions).
 */
import type { Item, Location } from '../../contracts/index.js';

export interface Store {
  id: string;
  name: string;
  location: Location;
  stock: { name: string; quantity: number; unit: string }[];
}

export interface RecipeInput {
  recipe: { name: string; ingredients: Item[] };
  inventory: Item[];
  stores: Store[];
  location: Location;
}

export interface RecipeAnswer {
  missing: Item[];
  store: { id: string; name: string; distanceKm: number } | null;
  text: string;
}

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance in km (haversine, mean Earth radius). */
export function haversineKm(a: Location, b: Location): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

const normName = (name: string): string => name.trim().toLowerCase();
const key = (name: string, unit: string): string => `${normName(name)}\u0000${unit}`;
/** Rounds away binary noise such as 0.30000000000000004. */
const tidy = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Sum of quantities per (name, unit). */
function tally(items: readonly { name: string; quantity: number; unit: string }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) m.set(key(it.name, it.unit), (m.get(key(it.name, it.unit)) ?? 0) + it.quantity);
  return m;
}

export interface Shortfall {
  missing: Item[];
  /** notes about items present only in another unit */
  notes: string[];
}

/** For each ingredient (recipe order), the quantity not covered by the inventory; repeated ingredients add up. */
export function shortfall(ingredients: readonly Item[], inventory: readonly Item[]): Shortfall {
  const left = tally(inventory);
  const unitsByName = new Map<string, Set<string>>();
  for (const it of inventory) {
    if (it.quantity <= 0) continue;
    const units = unitsByName.get(normName(it.name)) ?? new Set<string>();
    units.add(it.unit);
    unitsByName.set(normName(it.name), units);
  }
  const missing: Item[] = [];
  const notes: string[] = [];
  for (const ing of ingredients) {
    const k = key(ing.name, ing.unit);
    const have = left.get(k) ?? 0;
    const used = Math.min(have, ing.quantity);
    left.set(k, have - used);
    const lack = tidy(ing.quantity - used);
    if (lack <= 0) continue;
    missing.push({ name: ing.name, quantity: lack, unit: ing.unit });
    const other = [...(unitsByName.get(normName(ing.name)) ?? [])].filter((u) => u !== ing.unit);
    if (other.length > 0) {
      notes.push(`you have ${ing.name} in ${other.join('/')}, but the recipe asks for ${ing.unit}, so it is counted as missing`);
    }
  }
  return { missing, notes };
}

/** True when the store's stock covers every missing item (repeated items add up). */
export function stocksAll(store: Store, missing: readonly Item[]): boolean {
  const stock = tally(store.stock);
  for (const [k, need] of tally(missing)) if ((stock.get(k) ?? 0) < need - 1e-9) return false;
  return true;
}

const fmtItem = (it: Item): string => `${it.quantity} ${it.unit} ${it.name}`;

export function answerRecipe(input: RecipeInput): RecipeAnswer {
  const { recipe, inventory, stores, location } = input;
  const { missing, notes } = shortfall(recipe.ingredients, inventory);
  const noteText = notes.length > 0 ? ` Note: ${notes.join('; ')}.` : '';
  if (missing.length === 0) {
    return { missing, store: null, text: `You have everything for ${recipe.name}.` };
  }

  let store: RecipeAnswer['store'] = null;
  for (const s of stores) {
    if (!stocksAll(s, missing)) continue;
    const distanceKm = Math.round(haversineKm(location, s.location) * 10) / 10;
    const better =
      store === null ||
      distanceKm < store.distanceKm ||
      (distanceKm === store.distanceKm && (s.name < store.name || (s.name === store.name && s.id < store.id)));
    if (better) store = { id: s.id, name: s.name, distanceKm };
  }

  const list = missing.map(fmtItem).join(', ');
  const where =
    store === null
      ? 'No nearby store has all of it in stock.'
      : `${store.name} (${store.distanceKm.toFixed(1)} km away) has all of it.`;
  return { missing, store, text: `For ${recipe.name} you are missing ${list}. ${where}${noteText}` };
}
