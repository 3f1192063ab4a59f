#include "hub/scaffold/scaffold.h"

#include "hub/connectors/manifest.h"
#include "hub/scaffold/templates.h"

#include <cctype>
#include <fstream>
#include <regex>
#include <stdexcept>

namespace guichet::scaffold {
namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string fill(std::string text, const ConnectorSpec& spec) {
  text = replace_all(std::move(text), "{{id}}", spec.id);
  text = replace_all(std::move(text), "{{Class}}", class_name(spec.id));
  text = replace_all(std::move(text), "{{need}}", spec.need);
  return replace_all(std::move(text), "{{channel}}", spec.channel);
}

std::string option(const std::map<std::string, std::string>& options, const std::string& name,
                   const std::string& fallback = {}) {
  auto it = options.find(name);
  return it == options.end() ? fallback : it->second;
}

constexpr const char* kUsage =
    "usage: guichet new-connector NAME --channel rest|email [--dir DIR] [--need KIND]\n";

}  // namespace

std::string class_name(const std::string& id) {
  std::string name;
  bool upper = true;
  for (char c : id) {
    if (c == '_') {
      upper = true;
      continue;
    }
    name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return name;
}

std::vector<GeneratedFile> generate(const ConnectorSpec& spec) {
  // The id names a C++ class, a CMake target and files: keep it to what all three accept.
  static const std::regex kId("^[a-z][a-z0-9_]{0,62}$");
  if (!std::regex_match(spec.id, kId)) {
    throw std::invalid_argument("NAME must be lower-case letters, digits and '_', starting with a letter");
  }
  if (spec.channel != "rest" && spec.channel != "email") throw std::invalid_argument("--channel must be rest or email");
  if (!connectors::is_need_kind(spec.need)) {
    throw std::invalid_argument("--need must be one of allowance, employment, housing, childcare, psych_support");
  }
  std::vector<GeneratedFile> files;
  for (const Template& t : templates()) {
    std::string path(t.path);
    std::string group = path.substr(0, path.find('/'));
    if (group != "common" && group != spec.channel) continue;
    files.push_back({fill(path.substr(group.size() + 1), spec), fill(std::string(t.text), spec)});
  }
  return files;
}

int run_new_connector(const std::map<std::string, std::string>& options, std::ostream& out) {
  ConnectorSpec spec{option(options, "name"), option(options, "channel"), option(options, "need", "psych_support")};
  std::vector<GeneratedFile> files;
  try {
    files = generate(spec);
  } catch (const std::invalid_argument& e) {
    out << "guichet new-connector: " << e.what() << "\n" << kUsage;
    return 2;
  }
  std::filesystem::path dir = option(options, "dir", spec.id);
  std::error_code error;
  if (std::filesystem::exists(dir) && !std::filesystem::is_empty(dir, error)) {
    out << "guichet new-connector: " << dir.string() << " exists and is not empty; choose another --dir\n";
    return 2;
  }
  for (const GeneratedFile& file : files) {
    std::filesystem::path target = dir / file.path;
    std::filesystem::create_directories(target.parent_path(), error);
    std::ofstream stream(target, std::ios::binary);
    stream << file.text;
    if (!stream.flush()) {
      out << "guichet new-connector: cannot write " << target.string() << "\n";
      return 1;
    }
  }
  out << "wrote connector \"" << spec.id << "\" (" << spec.channel << ", serves " << spec.need << ") in "
      << dir.string() << ":\n";
  for (const GeneratedFile& file : files) out << "  " << file.path.string() << "\n";
  out << "next:\n"
      << "  cmake -S " << dir.string() << " -B " << (dir / "build").string()
      << " -DCMAKE_PREFIX_PATH=<where the Guichet SDK is installed>\n"
      << "  cmake --build " << (dir / "build").string() << " && ctest --test-dir " << (dir / "build").string()
      << "\n  then read " << (dir / "README.md").string() << "\n";
  return 0;
}

}  // namespace guichet::scaffold
