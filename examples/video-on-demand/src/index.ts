export { buildVideoOnDemand, settle, DEFAULT_CATALOGUE, type VodOptions, type VodSystem } from './system';
export { runScenario, type ScenarioOutcome } from './scenario';
export { ClientApp, MediaLibraryApp, BankApp, MultimediaServerApp } from './apps';
export { describeEvent } from './trace';
export type { VodMessage, Say } from './messages';
