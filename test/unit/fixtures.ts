import * as path from 'node:path';

/** The real manifests copied from ../shared/fixtures/manifests (licences in SOURCES.md beside them). */
export const MANIFESTS = path.resolve(__dirname, '../fixtures/manifests');
export const fixture = (name: string): string => path.join(MANIFESTS, name);
