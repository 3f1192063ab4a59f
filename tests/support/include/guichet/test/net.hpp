#pragma once
// Loopback port helpers. Thread-safe.

#include <cstdint>

namespace guichet::test {

// A TCP port on 127.0.0.1 that nothing listens on now, chosen at random below the kernel's
// ephemeral range (so the hub's own outgoing connections cannot grab it before the server that
// is meant to use it binds it), and never handed out twice by the same test process.
std::uint16_t free_port();

// True when something accepts TCP connections on 127.0.0.1:port.
bool port_open(std::uint16_t port);

}  // namespace guichet::test
