#pragma once
// Paths: where the build put what integration tests start, fixed at configure time by
// tests/CMakeLists.txt (GUICHET_BIN_DIR, GUICHET_PLUGIN_DIR, GUICHET_SOURCE_DIR), so a test finds
// the same binaries whatever directory ctest runs it from. Stateless; thread-safe.

#include <filesystem>
#include <string_view>

namespace guichet::test {

struct Paths {
  static std::filesystem::path bin_dir();     // build/bin: guichet, guichet-sim, test binaries
  static std::filesystem::path plugin_dir();  // build/plugins: <id>.so and <id>.json
  static std::filesystem::path source_dir();  // the repository root
  static std::filesystem::path scripts_dir(); // <source>/scripts
  static std::filesystem::path config_dir();  // <source>/config
  // bin_dir()/name; throws std::runtime_error when it was not built, so a missing target reads
  // as such instead of as a process that "did not start listening".
  static std::filesystem::path binary(std::string_view name);
  // Debian's interpreter: the one python3-aiosmtpd is installed for (PATH may hold a pyenv shim).
  static std::filesystem::path system_python();
};

}  // namespace guichet::test
