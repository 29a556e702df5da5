import { describe, expect, it } from 'vitest';
import type { Item } from '../../../contracts/payloads.js';
import { answerRecipe, haversineKm, shortfall, type Store } from '../../../helpdesk/assistant/shopping.js';

const home = { lat: 49.8728, lon: 8.6512 }; // Darmstadt
const recipe = {
  name: 'Pancakes',
  ingredients: [
    { name: 'Flour', quantity: 250, unit: 'g' },
    { name: 'Milk', quantity: 500, unit: 'ml' },
    { name: 'Egg', quantity: 3, unit: 'pcs' },
    { name: 'Sugar', quantity: 20, unit: 'g' },
  ] satisfies Item[],
};
const inventory: Item[] = [
  { name: 'flour', quantity: 100, unit: 'g' },
  { name: 'MILK', quantity: 1, unit: 'l' },
  { name: 'egg', quantity: 3, unit: 'pcs' },
  { name: 'sugar', quantity: 500, unit: 'g' },
];
const store = (id: string, name: string, lat: number, lon: number, stock: Store['stock']): Store => ({
  id,
  name,
  location: { lat, lon },
  stock,
});
const full = [
  { name: 'Flour', quantity: 1000, unit: 'g' },
  { name: 'milk', quantity: 1000, unit: 'ml' },
];

describe('shortfall', () => {
  it('subtracts matching names case-insensitively, units exactly, in recipe order', () => {
    const { missing, notes } = shortfall(recipe.ingredients, inventory);
    expect(missing).toEqual([
      { name: 'Flour', quantity: 150, unit: 'g' },
      { name: 'Milk', quantity: 500, unit: 'ml' },
    ]);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/Milk in l/);
  });

  it('adds up repeated ingredients and avoids binary noise', () => {
    const { missing } = shortfall(
      [
        { name: 'salt', quantity: 0.1, unit: 'tsp' },
        { name: 'Salt', quantity: 0.2, unit: 'tsp' },
      ],
      [{ name: 'salt', quantity: 0.15, unit: 'tsp' }],
    );
    expect(missing).toEqual([{ name: 'Salt', quantity: 0.15, unit: 'tsp' }]);
  });
});

describe('answerRecipe', () => {
  it('skips a nearer store lacking one item', () => {
    const near = store('near', 'Corner Shop', 49.873, 8.652, [{ name: 'flour', quantity: 1000, unit: 'g' }]);
    const far = store('far', 'Big Market', 49.9, 8.7, full);
    const a = answerRecipe({ recipe, inventory, stores: [near, far], location: home });
    expect(a.store).toEqual({ id: 'far', name: 'Big Market', distanceKm: Math.round(haversineKm(home, far.location) * 10) / 10 });
    expect(a.store!.distanceKm).toBeCloseTo(4.6, 1);
    expect(a.missing.map((m) => m.name)).toEqual(['Flour', 'Milk']);
    expect(a.text).toMatch(/150 g Flour/);
    expect(a.text).toMatch(/Big Market \(4\.6 km away\)/);
    expect(a.text).toMatch(/Milk in l/);
  });

  it('takes quantities into account and breaks distance ties by name', () => {
    const tooLittle = store('tiny', 'Alpha', 49.873, 8.652, [
      { name: 'flour', quantity: 100, unit: 'g' },
      { name: 'milk', quantity: 1000, unit: 'ml' },
    ]);
    const wrongUnit = store('unit', 'Aardvark', 49.873, 8.652, [
      { name: 'flour', quantity: 1, unit: 'kg' },
      { name: 'milk', quantity: 1000, unit: 'ml' },
    ]);
    const b = store('b', 'Zeta', 49.88, 8.66, full);
    const a2 = store('a', 'Beta', 49.88, 8.66, full);
    const a = answerRecipe({ recipe, inventory, stores: [tooLittle, wrongUnit, b, a2], location: home });
    expect(a.store?.id).toBe('a');
    expect(a.store?.name).toBe('Beta');
  });

  it('says when nothing is missing', () => {
    const a = answerRecipe({
      recipe,
      inventory: [...inventory, { name: 'flour', quantity: 150, unit: 'g' }, { name: 'milk', quantity: 500, unit: 'ml' }],
      stores: [store('s', 'Shop', 49.9, 8.7, full)],
      location: home,
    });
    expect(a.missing).toEqual([]);
    expect(a.store).toBeNull();
    expect(a.text).toMatch(/everything for Pancakes/);
  });

  it('returns null when no store has all of it', () => {
    const s1 = store('s1', 'One', 49.9, 8.7, [{ name: 'flour', quantity: 1000, unit: 'g' }]);
    const s2 = store('s2', 'Two', 49.9, 8.7, [{ name: 'milk', quantity: 1000, unit: 'ml' }]);
    const a = answerRecipe({ recipe, inventory, stores: [s1, s2], location: home });
    expect(a.store).toBeNull();
    expect(a.missing).toHaveLength(2);
    expect(a.text).toMatch(/No nearby store has all of it/);
    expect(answerRecipe({ recipe, inventory, stores: [], location: home }).store).toBeNull();
  });

  it('haversine is about right', () => {
    // Berlin–Munich ≈ 504 km
    expect(haversineKm({ lat: 52.52, lon: 13.405 }, { lat: 48.1372, lon: 11.5755 })).toBeGreaterThan(500);
    expect(haversineKm({ lat: 52.52, lon: 13.405 }, { lat: 48.1372, lon: 11.5755 })).toBeLessThan(508);
    expect(haversineKm(home, home)).toBe(0);
  });
});
