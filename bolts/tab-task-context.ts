import type { TaskContext } from '../contracts/task-context';
import type { HandlerRegistry } from '../tabs/handlers/registry';

/** The context of Taba's bolts: the runtime's, with the topology's Tab types as its registry. */
export type TabTaskContext = TaskContext<HandlerRegistry>;
