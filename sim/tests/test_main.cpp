#include <gtest/gtest.h>

#include <csignal>

int main(int argc, char** argv) {
  // A peer hanging up mid-write (a client giving up on a withheld answer) must not kill the test
  // process; the binary blocks SIGPIPE the same way in its main().
  std::signal(SIGPIPE, SIG_IGN);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
