package org.dmfilemapd.client;

import java.util.Optional;

import org.dmfilemapd.handover.ProtocolException;
import org.dmfilemapd.handover.Reply;
import org.dmfilemapd.handover.Request;
import org.dmfilemapd.handover.Wire;
import org.dmfilemapd.jni.NativeIoException;
import org.dmfilemapd.jni.UnixSocket;
import org.dmfilemapd.service.ServicePaths;

/** A client's connection to the service: requests out, replies in. */
public final class ServiceConnection implements AutoCloseable {
    /** How long the service may take to answer a request (it lists the device's regions first). */
    static final int ANSWER_TIMEOUT_MS = 60_000;

    private final UnixSocket socket;

    private ServiceConnection(UnixSocket socket) {
        this.socket = socket;
    }

    /** Connects to the running service; empty if none runs (no socket, or nobody listens on it). */
    public static Optional<ServiceConnection> open() throws ServiceException {
        try {
            return Optional.of(new ServiceConnection(UnixSocket.connect(ServicePaths.socket().toString())));
        } catch (NativeIoException e) {
            if (e.errno() == UnixSocket.ENOENT || e.errno() == UnixSocket.ECONNREFUSED) {
                return Optional.empty();
            }
            if (e.errno() == UnixSocket.EACCES || e.errno() == UnixSocket.EPERM) {
                throw new ServiceException("permission denied: only root may use the dmfilemapd service ("
                        + e.getMessage() + ")", e);
            }
            throw new ServiceException("cannot reach the dmfilemapd service: " + e.getMessage(), e);
        }
    }

    public void send(Request r, int fd) throws ServiceException {
        try {
            socket.send(Wire.encode(r), fd);
        } catch (NativeIoException e) {
            // the service may have refused us before we spoke (a foreign uid): say its reason
            try {
                UnixSocket.Message m = socket.receive(1000);
                if (m != null && Wire.decodeReply(m.data()) instanceof Reply.Refused f) {
                    throw new ServiceException(f.message(), e);
                }
            } catch (NativeIoException | ProtocolException ignored) {
                // no reason given: report the send's failure
            }
            throw new ServiceException("cannot talk to the dmfilemapd service: " + e.getMessage(), e);
        }
    }

    /** The next reply; {@code timeoutMillis} -1 waits as long as it takes. */
    public Reply receive(int timeoutMillis) throws ServiceException {
        UnixSocket.Message m;
        try {
            m = socket.receive(timeoutMillis);
        } catch (NativeIoException e) {
            if (e.errno() == UnixSocket.EAGAIN) {
                throw new ServiceException("the dmfilemapd service did not answer within " + timeoutMillis + " ms", e);
            }
            throw new ServiceException("cannot talk to the dmfilemapd service: " + e.getMessage(), e);
        }
        if (m == null) {
            throw new ServiceException("the dmfilemapd service closed the connection without an answer");
        }
        if (m.fd() >= 0) {
            try {
                org.dmfilemapd.jni.Posix.close(m.fd());
            } catch (NativeIoException e) {
                // not ours to keep
            }
        }
        try {
            return Wire.decodeReply(m.data());
        } catch (ProtocolException e) {
            throw new ServiceException("unexpected answer from the dmfilemapd service: " + e.getMessage(), e);
        }
    }

    public Reply receive() throws ServiceException {
        return receive(ANSWER_TIMEOUT_MS);
    }

    @Override
    public void close() {
        socket.close();
    }
}
