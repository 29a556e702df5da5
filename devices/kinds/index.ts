/** The registry of device kinds: kind name -> pure, seeded model. */
import type { DeviceKind } from '../../contracts/index.js';
import { carBattery } from './car-battery.js';
import { fridge } from './fridge.js';
import type { KindModel } from './model.js';
import { washer } from './washer.js';

/** Any kind's model, with params and state erased (the agent parses params with `model.params`). */
export type AnyKindModel = KindModel<DeviceKind, unknown, unknown>;

/**
 * kind -> model. The entries are typed as AnyKindModel: TypeScript measures KindModel's K as invariant
 * (ReadingsOf<K> is a conditional type), so a KindModel<'fridge', ...> does not widen by itself; each
 * model does satisfy the erased shape (its readings are one member of the readings union).
 * For the precise types import carBattery, fridge and washer directly.
 */
export const KINDS: Readonly<Record<DeviceKind, AnyKindModel>> = {
  'car-battery': carBattery as AnyKindModel,
  fridge: fridge as AnyKindModel,
  washer: washer as AnyKindModel,
};

export function kindModel(kind: DeviceKind): AnyKindModel {
  return KINDS[kind];
}

export { carBattery, fridge, washer };
export * from './car-battery.js';
export * from './fridge.js';
export * from './washer.js';
export type { CommandBody, CommandResult, EventBody, KindModel, ReadingsOf, StepResult } from './model.js';
