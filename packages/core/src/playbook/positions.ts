/**
 * Where each part of a loaded task was written. The model keeps one position per item; validation needs
 * finer ones (each argument, each notify entry), kept here beside the model without changing it.
 */
import type { SourcePos, Task, TaskItem } from '../model.js';

export interface TaskPositions {
  /** The module's key (`copy:`). */
  module: SourcePos;
  /** The module's value (the arguments mapping or string). */
  args: SourcePos;
  /** Each argument's key, and value. */
  argKeys: Record<string, SourcePos>;
  argValues: Record<string, SourcePos>;
  /** Each notify entry, in order. */
  notify: SourcePos[];
  /** Each keyword's value (`when`, `loop`, ...). */
  keywords: Record<string, SourcePos>;
}

const table = new WeakMap<object, TaskPositions>();

export function setTaskPositions(task: Task, positions: TaskPositions): void {
  table.set(task, positions);
}

/** Positions of a task's parts; falls back to the task's own position. */
export function taskPositions(task: Task): TaskPositions {
  return (
    table.get(task) ?? { module: task.pos, args: task.pos, argKeys: {}, argValues: {}, notify: [], keywords: {} }
  );
}

/** Every task of a list, depth first, through blocks (block, then rescue, then always) and include_tasks files read at load time. */
export function* walkTasks(items: readonly TaskItem[]): Generator<Task> {
  for (const item of items) {
    if (item.kind === 'task') yield item;
    else {
      if (item.include?.preloaded) yield* walkTasks(item.include.preloaded);
      yield* walkTasks(item.block);
      yield* walkTasks(item.rescue);
      yield* walkTasks(item.always);
    }
  }
}
