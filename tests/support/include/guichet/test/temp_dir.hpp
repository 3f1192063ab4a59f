#pragma once
// TempDir: a fresh directory (mode 0700) under $TMPDIR or /tmp, removed with its contents when the
// object is destroyed. Set GUICHET_KEEP_TEST_DIRS=1 to keep it (its path is then printed) and read
// the logs and Maildirs a failed test left. Owns the directory; move-only; path() is safe to read
// from any thread, moving is not.
//
// write_file / read_file: whole-file helpers for configs, secrets.json and logs.

#include <filesystem>
#include <string>
#include <string_view>

namespace guichet::test {

class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "guichet-test");
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& relative) const { return path_ / relative; }

 private:
  void remove() noexcept;
  std::filesystem::path path_;
};

// Creates missing parent directories; replaces the file atomically (write, then rename), so a
// process polling for it never reads half of it.
void write_file(const std::filesystem::path& file, std::string_view content);
// Throws std::runtime_error when the file cannot be opened.
std::string read_file(const std::filesystem::path& file);

}  // namespace guichet::test
