import OutpostModel

/// A live value read from a replica: an `AsyncSequence` that yields the current value first,
/// then a fresh one after every committed change (local edit, conflict resolution, pulled page,
/// recovery, re-scope, import) that makes it differ.
///
/// - Re-fetches only after changes touching a tracked entity type (or the outbox, when tracked);
///   an unrelated change costs nothing.
/// - Yields only values that differ from the last one yielded.
/// - Coalesced: changes that arrive while a fetch runs cause one more fetch, and a slow consumer
///   receives only the latest value (never a backlog).
/// - Fetches run on the replica's ``DatabaseExecutor``, not on the shared concurrency threads.
/// - Ends when the consuming task is cancelled or stops iterating; ends with the error if a fetch throws.
///
/// Each iteration (`for try await`, `makeAsyncIterator()`) starts its own observation.
///
/// ```swift
/// let customers = replica.observe(tracking: [.customer]) { replica in
///     try replica.records(.customer).map(\.id)
/// }
/// for try await ids in customers { print(ids.count, "customers") }
/// ```
public struct ReplicaObservation<Value: Equatable & Sendable>: AsyncSequence, Sendable {
    public typealias Element = Value
    public typealias AsyncIterator = AsyncThrowingStream<Value, any Error>.Iterator

    /// The replica observed.
    public let replica: Replica
    /// The entity types whose changes trigger a re-fetch.
    public let trackedTypes: Set<EntityType>
    /// Whether outbox changes (pending edits added or sent) trigger a re-fetch.
    public let tracksOutbox: Bool
    let fetch: @Sendable (Replica) throws -> Value

    /// Creates an observation (see ``Replica/observe(tracking:outbox:_:)``).
    public init(replica: Replica, tracking types: Set<EntityType>, outbox: Bool = false,
                fetch: @escaping @Sendable (Replica) throws -> Value) {
        self.replica = replica
        self.trackedTypes = types
        self.tracksOutbox = outbox
        self.fetch = fetch
    }

    /// `true` when `change` may change the observed value.
    public func isAffected(by change: ReplicaChange) -> Bool {
        (tracksOutbox && change.outboxChanged) || !trackedTypes.isDisjoint(with: change.entityTypes)
    }

    public func makeAsyncIterator() -> AsyncIterator {
        values().makeAsyncIterator()
    }

    /// Starts the observation and returns its values as a stream.
    public func values() -> AsyncThrowingStream<Value, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Value.self, bufferingPolicy: .bufferingNewest(1))
        let signal = ChangeSignal()
        let observation = self
        // Subscribed before the first fetch, so no change between the two is missed.
        let token = replica.changes.subscribe { change in
            if observation.isAffected(by: change) { signal.raise() }
        }
        let replica = self.replica, fetch = self.fetch
        let task = Task {
            var last: Value?
            do {
                repeat {
                    let value = try await replica.executor.run { try fetch(replica) }
                    if value != last {
                        last = value
                        continuation.yield(value)
                    }
                } while await signal.next()
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in
            replica.changes.unsubscribe(token)
            signal.finish()
            task.cancel()
        }
        return stream
    }
}

extension Replica {
    /// Observes a value read from this replica (see ``ReplicaObservation``): yields it now, then
    /// again whenever a committed change of a tracked entity type (or of the outbox, with
    /// `outbox: true`) makes it differ.
    ///
    /// ```swift
    /// for try await count in replica.observe(tracking: [.complaint]) { try $0.records(.complaint).count } {
    ///     badge = count
    /// }
    /// ```
    public func observe<Value: Equatable & Sendable>(
        tracking types: Set<EntityType>, outbox: Bool = false, _ fetch: @escaping @Sendable (Replica) throws -> Value
    ) -> ReplicaObservation<Value> {
        ReplicaObservation(replica: self, tracking: types, outbox: outbox, fetch: fetch)
    }
}
