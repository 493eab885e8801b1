// SPDX-License-Identifier: MIT
// AsyncJava: Java's two ways of connecting without blocking forever, for
// the asynchronous connect scenario. Standalone.
//
//   java AsyncJava nio|timeout HOST PORT N
//
// nio:     N non-blocking SocketChannels, OP_CONNECT on one Selector,
//          finishConnect() on each report (a second report is "extra").
// timeout: N times Socket.connect(addr, 5000) (non-blocking connect and
//          poll() inside the JDK).
// Then each connected socket sends "line I\n" and must read it back.
// Output: "conn I: OK echo=exact|wrong" or "conn I: ERR CLASS: MESSAGE",
// then "SUMMARY ok=N err=N extra=N".
import java.io.*;
import java.net.*;
import java.nio.ByteBuffer;
import java.nio.channels.*;
import java.nio.charset.StandardCharsets;
import java.util.*;

public class AsyncJava {
	static byte[] line(int i) {
		return ("line " + i + "\n").getBytes(StandardCharsets.US_ASCII);
	}

	static void send(Socket s, int i) throws IOException {
		s.getOutputStream().write(line(i));
	}

	// Read back what send() sent (all lines go out first: a server that
	// serves one connection after the other must not wait for us).
	static String echo(Socket s, int i) throws IOException {
		byte[] line = line(i);
		s.setSoTimeout(5000);
		byte[] back = new byte[line.length];
		int got = 0, n;
		InputStream in = s.getInputStream();
		while (got < back.length && (n = in.read(back, got, back.length - got)) > 0)
			got += n;
		return Arrays.equals(line, back) ? "exact" : "wrong";
	}

	public static void main(String[] a) throws Exception {
		String mode = a[0];
		InetSocketAddress addr = new InetSocketAddress(InetAddress.getByName(a[1]),
		    Integer.parseInt(a[2]));
		int n = Integer.parseInt(a[3]), ok = 0, err = 0, extra = 0;
		String[] res = new String[n];
		if (mode.equals("nio")) {
			Selector sel = Selector.open();
			SocketChannel[] ch = new SocketChannel[n];
			int[] reports = new int[n];
			for (int i = 0; i < n; i++) {
				ch[i] = SocketChannel.open();
				ch[i].configureBlocking(false);
				try {
					if (ch[i].connect(addr))
						res[i] = "connected";
					else
						ch[i].register(sel, SelectionKey.OP_CONNECT, i);
				} catch (IOException e) {	// failed at once
					res[i] = "ERR " + e.getClass().getSimpleName() + ": " + e.getMessage();
				}
			}
			long end = System.nanoTime() + 15_000_000_000L;
			int left = n;
			for (String r : res)
				if (r != null)
					left--;
			while (left > 0 && System.nanoTime() < end) {
				sel.select(200);
				for (SelectionKey k : sel.selectedKeys()) {
					int i = (Integer) k.attachment();
					reports[i]++;
					try {
						if (ch[i].finishConnect()) {
							res[i] = "connected";
							k.interestOps(0);
							left--;
						} else {
							extra++;	// reported, not connected
						}
					} catch (IOException e) {
						res[i] = "ERR " + e.getClass().getSimpleName() + ": " + e.getMessage();
						k.cancel();
						left--;
					}
				}
				sel.selectedKeys().clear();
			}
			for (SelectionKey k : sel.keys())
				k.cancel();
			sel.selectNow();
			for (int i = 0; i < n; i++) {
				if (res[i] == null)
					res[i] = "ERR NoReport: none";
				if (res[i].equals("connected")) {
					ch[i].configureBlocking(true);
					send(ch[i].socket(), i);
				}
			}
			for (int i = 0; i < n; i++) {
				if (res[i].equals("connected"))
					res[i] = "OK echo=" + echo(ch[i].socket(), i);
				ch[i].close();
			}
		} else {
			for (int i = 0; i < n; i++) {
				try (Socket s = new Socket()) {
					s.connect(addr, 5000);
					send(s, i);
					res[i] = "OK echo=" + echo(s, i);
				} catch (IOException e) {
					res[i] = "ERR " + e.getClass().getSimpleName() + ": " + e.getMessage();
				}
			}
		}
		for (int i = 0; i < n; i++) {
			System.out.println("conn " + i + ": " + res[i]);
			if (res[i].startsWith("OK"))
				ok++;
			else
				err++;
		}
		System.out.println("SUMMARY ok=" + ok + " err=" + err + " extra=" + extra);
	}
}
