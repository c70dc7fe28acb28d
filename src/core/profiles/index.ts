export { ProfileError } from './profileError';
export { Secret, scrubSecrets } from './secret';
export { findProfilesFile, PROFILES_FILE, type FindProfilesOptions, type ProfilesLocation } from './findProfilesFile';
export { renderProfileValue, type Env, type ProfileScalar, type RenderContext } from './renderProfileValue';
export { loadWarehouseTarget, type LoadTargetOptions } from './loadWarehouseTarget';
export {
  describe,
  redact,
  WAREHOUSE_TYPES,
  type ClickHouseTarget,
  type DuckDbTarget,
  type SnowflakeTarget,
  type TargetOrigin,
  type WarehouseTarget,
  type WarehouseType,
} from './warehouseTarget';
