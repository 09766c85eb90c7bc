// models.* and ps: residency as `ollama ps` shows it, pre-warming and unloading.
import { keepAliveToMs } from '../../shared/domain/keep-alive.js';
import type { Handlers } from '../../shared/ipc/rpc-server.js';
import { RpcError, type MemoryTelemetry, type ModelStatus, type Result } from '../../shared/protocol/index.js';
import type { Engine } from '../engine/engine.js';
import type { ResidencyScheduler } from '../residency/scheduler.js';

export type ModelsHandlers = Pick<Handlers, 'models.list' | 'models.load' | 'models.unload' | 'ps'>;

export function modelsHandlers(engine: Engine, scheduler: ResidencyScheduler, memory: () => MemoryTelemetry | null, plans?: () => Promise<NonNullable<Result<'ps'>['plans']>>): ModelsHandlers {
  const known = async (model: string): Promise<void> => {
    const models = await engine.listModels();
    if (!models.includes(model)) throw new RpcError('MODEL_MISSING', `unknown model '${model}' (available: ${models.join(', ') || 'none'})`, { detail: { model, available: models } });
  };
  const statuses = async (only?: string): Promise<ModelStatus[]> => {
    const models = await engine.listModels();
    const resident = new Set(scheduler.list().map((c) => c.model));
    const names = [...new Set([...models, ...resident])].filter((m) => only === undefined || m === only).sort();
    return names.map((m) => scheduler.modelStatus(m, models.includes(m)));
  };
  return {
    'models.list': async () => ({ models: await statuses() }),
    'models.load': async ({ model, components, keepAlive }) => {
      await known(model);
      await scheduler.load(model, components ?? engine.components(model), keepAlive === undefined ? undefined : keepAliveToMs(keepAlive));
      return { model: scheduler.modelStatus(model, true) };
    },
    'models.unload': async ({ model, components, force }) => {
      await scheduler.unload(model, components, force, 'requested');
      return { models: await statuses(model) };
    },
    ps: async () => ({ components: scheduler.list(), memory: memory(), ...(plans ? { plans: await plans() } : {}) }),
  };
}
