#if canImport(Glibc)
import Glibc
#endif

/// One object per thread, made on first use and released with the thread (a pthread key): the
/// per-thread pools and states of the run paths, handed to the caller without a retain.
public final class ThreadLocalObject<Object: AnyObject>: Sendable {
    @usableFromInline let key: pthread_key_t
    @usableFromInline let make: @Sendable () -> Object

    /// `what` names the slot in the one failure there is: no pthread key left.
    public init(_ what: String, make: @escaping @Sendable () -> Object) {
        var key = pthread_key_t()
        let made = pthread_key_create(&key) { pointer in
            guard let pointer else { return }
            Unmanaged<AnyObject>.fromOpaque(pointer).release()
        }
        precondition(made == 0, "pthread_key_create failed: no thread-local slot for \(what)")
        self.key = key
        self.make = make
    }

    /// This thread's object, not retained (the thread's slot owns it): a retain and a release
    /// per use were a visible share of a short run.
    @inlinable @inline(__always)
    public func with<T>(_ body: (Object) -> T) -> T {
        if let existing = pthread_getspecific(key) {
            return Unmanaged<Object>.fromOpaque(existing)._withUnsafeGuaranteedRef(body)
        }
        let made = make()
        pthread_setspecific(key, Unmanaged.passRetained(made as AnyObject).toOpaque())
        return body(made)
    }
}
