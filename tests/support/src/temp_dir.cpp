#include "guichet/test/temp_dir.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace guichet::test {

namespace {

std::filesystem::path temp_root() {
  const char* tmpdir = std::getenv("TMPDIR");
  return (tmpdir != nullptr && *tmpdir != '\0') ? std::filesystem::path(tmpdir) : std::filesystem::path("/tmp");
}

bool keep_dirs() {
  const char* keep = std::getenv("GUICHET_KEEP_TEST_DIRS");
  return keep != nullptr && *keep != '\0' && std::string_view(keep) != "0";
}

}  // namespace

TempDir::TempDir(std::string_view prefix) {
  std::string pattern = (temp_root() / (std::string(prefix) + "-XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  // mkdtemp: a unique name and mode 0700 in one atomic step, safe with tests running in parallel.
  if (::mkdtemp(buffer.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  }
  path_ = buffer.data();
}

TempDir::~TempDir() { remove(); }

TempDir::TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

void TempDir::remove() noexcept {
  if (path_.empty()) {
    return;
  }
  if (keep_dirs()) {
    std::cerr << "[guichet-test] kept " << path_.string() << '\n';
  } else {
    std::error_code ignored;  // a destructor cannot report, and a leftover temp dir harms nothing
    std::filesystem::remove_all(path_, ignored);
  }
  path_.clear();
}

void write_file(const std::filesystem::path& file, std::string_view content) {
  if (file.has_parent_path()) {
    std::filesystem::create_directories(file.parent_path());
  }
  auto tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      throw std::runtime_error("cannot write " + tmp.string());
    }
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out.flush()) {
      throw std::runtime_error("cannot write " + tmp.string());
    }
  }
  std::filesystem::rename(tmp, file);
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + file.string());
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace guichet::test
