export * from './rejection.ts';
export * from './rows.ts';
export * from './change.ts';
export * from './snapshot.ts';
