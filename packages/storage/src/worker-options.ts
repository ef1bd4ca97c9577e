import { Effect, Layer, Schema } from "effect"
import type { ShardStorage } from "./storage.ts"
import { StorageError } from "./storage-error.ts"

/**
 * The storage a worker thread opens from a backend's `workerConfig` options: they crossed the
 * thread boundary as plain data, so they are decoded with the backend's `schema` before `build`
 * turns them into its layer. Options that do not decode fail the layer with a `StorageError`
 * that keeps the decoding error, as every backend reports it.
 */
export const layerFromWorkerOptions = <A, E>(
  schema: Schema.Decoder<A>,
  options: unknown,
  build: (options: A) => Layer.Layer<ShardStorage, E>
): Layer.Layer<ShardStorage, E | StorageError> =>
  Layer.unwrap(
    Effect.map(
      Effect.mapError(
        Schema.decodeUnknownEffect(schema)(options),
        (cause) => new StorageError({ shard: "*", location: "worker thread", operation: "open", reason: cause.message, cause })
      ),
      build
    )
  )
