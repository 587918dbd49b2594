export { EVENT_ACTIONS, type EventAction } from './event-actions.js';
export { startFakeAuthentik } from './fake-authentik.js';
export type {
  BodyPredicate,
  CapacityOptions,
  CapacityStats,
  DirectoryRead,
  FailNextOptions,
  FakeAuthentik,
  FakeAuthentikOptions,
  FakeBrand,
  FakeUser,
  FaultControls,
  HostileMode,
  ReadAnswer,
  ReadAnswerer,
  RecordedRequest,
  ResetNextOptions,
  StoredEvent,
  TokenState,
} from './types.js';
