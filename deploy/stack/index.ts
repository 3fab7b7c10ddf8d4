// The local stack (ZooKeeper, Kafka, Redis on loopback), as used by
// `topology dev`, the test runner, the demo and the fault tests.
export { startStack } from './start-stack';
export type { StartStackOptions } from './start-stack';
export { stopStack } from './stop-stack';
export { stackStatus } from './stack-status';
export type { StackInfo, ServiceStatus, NodeStatus } from './stack-status';
export { startService, stopService } from './service-control';
export type { ServiceControlOptions } from './service-control';
export { leaseStack } from './stack-lease';
export type { StackLease } from './stack-lease';
export { StackError, isStackError } from './errors';
export type { StackErrorCode } from './errors';
export { SERVICE_NAMES, REDIS_MODES, DEFAULT_PORTS, DEFAULT_STACK_DIR, SENTINEL_MASTER_NAME, assertServiceName, parseNodeName, stackLayout } from './layout';
export type { RedisMode, ServiceName, ServiceNode, StackPorts } from './layout';
export { logTail } from './service-process';
