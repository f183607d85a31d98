package org.raftengine.jpa;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of a database server, so a test can take the database away from one
 * client: {@link #cut()} closes every connection through it and refuses new ones (accepted and closed at once,
 * as a server that went down would), {@link #restore()} lets connections through again.
 */
final class TcpProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final ServerSocket server;
    /** Both ends of every open connection; guarded by this. */
    private final List<Socket> open = new ArrayList<>();
    private boolean cut;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();

    TcpProxy(int targetPort) throws IOException {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon("tcp-proxy-accept-" + port(), this::acceptLoop);
    }

    /** The port clients connect to. */
    int port() {
        return server.getLocalPort();
    }

    /** Connections let through so far. */
    int accepted() {
        return accepted.get();
    }

    /** Connections refused while cut so far. */
    int refused() {
        return refused.get();
    }

    /** Closes every connection and refuses new ones until {@link #restore()}; when it returns, nothing passes. */
    synchronized void cut() {
        cut = true;
        for (Socket s : open) {
            closeQuietly(s);
        }
        open.clear();
    }

    /** Lets new connections through again. */
    synchronized void restore() {
        cut = false;
    }

    @Override
    public void close() {
        cut();
        closeQuietly(server);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (isCut()) {
                refused.incrementAndGet();
                closeQuietly(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 2_000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            synchronized (this) {
                // Cut while connecting upstream: this connection counts as refused too.
                if (cut) {
                    refused.incrementAndGet();
                    closeQuietly(client);
                    closeQuietly(upstream);
                    continue;
                }
                open.add(client);
                open.add(upstream);
            }
            accepted.incrementAndGet();
            daemon("tcp-proxy-up", () -> pump(client, upstream));
            daemon("tcp-proxy-down", () -> pump(upstream, client));
        }
    }

    private synchronized boolean isCut() {
        return cut;
    }

    /** Copies {@code from} to {@code to} until either closes; then closes both, so the other pump ends too. */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // either side closed (or the proxy cut it): the connection is over
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            synchronized (this) {
                open.remove(from);
                open.remove(to);
            }
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing is all that matters here
        }
    }
}
