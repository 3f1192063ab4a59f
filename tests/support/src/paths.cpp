#include "guichet/test/paths.hpp"

#include <stdexcept>
#include <string>

#if !defined(GUICHET_BIN_DIR) || !defined(GUICHET_PLUGIN_DIR) || !defined(GUICHET_SOURCE_DIR)
#error "tests/CMakeLists.txt must define GUICHET_BIN_DIR, GUICHET_PLUGIN_DIR and GUICHET_SOURCE_DIR"
#endif

namespace guichet::test {

std::filesystem::path Paths::bin_dir() { return GUICHET_BIN_DIR; }
std::filesystem::path Paths::plugin_dir() { return GUICHET_PLUGIN_DIR; }
std::filesystem::path Paths::source_dir() { return GUICHET_SOURCE_DIR; }
std::filesystem::path Paths::scripts_dir() { return source_dir() / "scripts"; }
std::filesystem::path Paths::config_dir() { return source_dir() / "config"; }
std::filesystem::path Paths::system_python() { return "/usr/bin/python3"; }

std::filesystem::path Paths::binary(std::string_view name) {
  auto path = bin_dir() / name;
  if (!std::filesystem::exists(path)) {
    throw std::runtime_error("binary not built: " + path.string());
  }
  return path;
}

}  // namespace guichet::test
