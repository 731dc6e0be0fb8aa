/**
 * The registry's services in one import: records of every kind (read, list, create, patch),
 * clouds and tenants. Each lives in its own module; this one only gathers them.
 */

export type { CloudFilter, CloudItem } from './clouds.ts';
export { createCloud, getCloud, listClouds, readCloud, updateCloud } from './clouds.ts';
export { getRecord, listRecords, type Page, readRecord, recordId } from './records/read.ts';
export { createRecord, patchRecord } from './records/write.ts';
export type { TenantFilter, TenantItem } from './tenants.ts';
export { createTenant, createTenants, getTenant, listTenants, readTenant, updateTenant } from './tenants.ts';
