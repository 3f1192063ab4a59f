#include "hub/connectors/plugin.h"

#include "hub/connectors/errors.h"

#include <Poco/DigestStream.h>
#include <Poco/SHA2Engine.h>
#include <Poco/StreamCopier.h>

#include <dlfcn.h>
#include <link.h>

#include <cstddef>
#include <cstring>
#include <fstream>
#include <sstream>

namespace guichet::connectors {
namespace {

constexpr unsigned char kNativeElfClass = __ELF_NATIVE_CLASS == 64 ? ELFCLASS64 : ELFCLASS32;

// Every field of a 1.0 table; a shorter table cannot be used. Fields appended since (1.1: answer)
// are read only when the table's struct_size covers them.
constexpr std::size_t kMinimumTableSize = offsetof(guichet_connector_v1, answer);

const guichet_connector_v1* check_table(const guichet_connector_v1* table, const Manifest& manifest) {
  if (!table) throw PluginRejected("entry returned no table for ABI major " + std::to_string(GUICHET_ABI_MAJOR));
  if (table->struct_size < kMinimumTableSize) {
    throw PluginRejected("table too small: " + std::to_string(table->struct_size) + " bytes, need " +
                         std::to_string(kMinimumTableSize));
  }
  if (table->abi_major != GUICHET_ABI_MAJOR) {
    throw PluginRejected("table has ABI major " + std::to_string(table->abi_major) + ", expected " +
                         std::to_string(GUICHET_ABI_MAJOR));
  }
  std::string id = table->id ? table->id : "";
  std::string version = table->version ? table->version : "";
  if (id != manifest.id) throw PluginRejected("table id \"" + id + "\" differs from the manifest's \"" + manifest.id + "\"");
  if (version != manifest.version) {
    throw PluginRejected("table version \"" + version + "\" differs from the manifest's \"" +
                         manifest.version + "\"");
  }
  if (!table->create || !table->destroy || !table->free_buffer) {
    throw PluginRejected("table lacks create, destroy or free_buffer");
  }
  return table;
}

// glibc maps a shared object's segments without comparing them with the file's size, so a file cut
// short (a copy interrupted, a full disk) loads and then dies with SIGBUS when the loader touches a
// missing page. Checking the ELF headers against the size first turns that into a rejection.
void check_elf_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  auto size = static_cast<uint64_t>(std::filesystem::file_size(path));
  auto read_at = [&](uint64_t offset, void* into, std::size_t length) {
    in.seekg(static_cast<std::streamoff>(offset));
    return static_cast<bool>(in.read(static_cast<char*>(into), static_cast<std::streamsize>(length)));
  };
  ElfW(Ehdr) header;
  if (size < sizeof header || !read_at(0, &header, sizeof header) ||
      std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) {
    throw PluginRejected("cannot be loaded: not an ELF file");
  }
  if (header.e_ident[EI_CLASS] != kNativeElfClass || header.e_type != ET_DYN ||
      header.e_phentsize != sizeof(ElfW(Phdr))) {
    throw PluginRejected("cannot be loaded: not a shared object for this machine");
  }
  uint64_t headers_end = header.e_phoff + uint64_t{header.e_phnum} * header.e_phentsize;
  uint64_t sections_end = header.e_shoff + uint64_t{header.e_shnum} * header.e_shentsize;
  if (headers_end > size || sections_end > size) throw PluginRejected("cannot be loaded: file is truncated");
  for (ElfW(Half) i = 0; i < header.e_phnum; ++i) {
    ElfW(Phdr) segment;
    if (!read_at(header.e_phoff + uint64_t{i} * sizeof segment, &segment, sizeof segment)) {
      throw PluginRejected("cannot be loaded: file is truncated");
    }
    if (segment.p_type == PT_LOAD && segment.p_offset + segment.p_filesz > size) {
      throw PluginRejected("cannot be loaded: file is truncated");
    }
  }
}

// The manifest beside `library_path`, checked against the file's name and the hub's ABI.
Manifest checked_manifest(const std::filesystem::path& library_path) {
  std::filesystem::path manifest_path = library_path;
  manifest_path.replace_extension(".json");
  Manifest manifest;
  try {
    manifest = read_manifest(manifest_path);
  } catch (const ConfigError& e) {
    throw PluginRejected(std::string("manifest: ") + e.what());
  }
  std::string stem = library_path.stem().string();
  if (stem != manifest.id && stem != manifest.id + "@" + manifest.version) {
    throw PluginRejected("manifest id \"" + manifest.id + "\" differs from the file name");
  }
  if (manifest.abi != GUICHET_ABI_MAJOR) {
    throw PluginRejected("manifest abi " + std::to_string(manifest.abi) + ", the hub speaks " +
                         std::to_string(GUICHET_ABI_MAJOR));
  }
  return manifest;
}

}  // namespace

Manifest read_manifest(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path.string(), "", "cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  Json json = Json::parse(text.str(), nullptr, false);
  if (json.is_discarded()) throw ConfigError(path.string(), "", "is not valid JSON");
  return Manifest::parse(json, path.string());
}

std::string file_sha256(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot be read");
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  Poco::DigestOutputStream digest(engine);
  Poco::StreamCopier::copyStream(in, digest);
  digest.close();
  if (in.bad()) throw std::runtime_error(path.string() + ": cannot be read");
  return Poco::DigestEngine::digestToHex(engine.digest());
}

Plugin::Plugin(Manifest manifest, boost::dll::shared_library library, const guichet_connector_v1* table,
               std::filesystem::path file)
    : manifest_(std::move(manifest)), file_(std::move(file)), library_(std::move(library)), table_(table) {}

std::shared_ptr<const Plugin> Plugin::inspect(const std::filesystem::path& library_path) {
  Manifest manifest = checked_manifest(library_path);
  check_elf_file(library_path);
  return std::make_shared<const Plugin>(std::move(manifest), boost::dll::shared_library(), nullptr, library_path);
}

std::shared_ptr<const Plugin> Plugin::load(const std::filesystem::path& library_path) {
  Manifest manifest = checked_manifest(library_path);

  // Boost 1.74 passes the mode bits straight to dlopen, which is how RTLD_NODELETE gets there.
  auto mode = static_cast<boost::dll::load_mode::type>(RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  boost::dll::shared_library library;
  try {
    check_elf_file(library_path);
    library.load(library_path, mode);
  } catch (const PluginRejected&) {
    throw;
  } catch (const std::exception& e) {
    throw PluginRejected(std::string("cannot be loaded: ") + e.what());
  }
  if (!library.has(GUICHET_CONNECTOR_ENTRY)) {
    throw PluginRejected(std::string("does not export ") + GUICHET_CONNECTOR_ENTRY);
  }
  auto& entry = library.get<const guichet_connector_v1*(uint32_t)>(GUICHET_CONNECTOR_ENTRY);
  const guichet_connector_v1* table = check_table(entry(GUICHET_ABI_MAJOR), manifest);
  auto plugin = std::make_shared<const Plugin>(std::move(manifest), std::move(library), table, library_path);
  for (const std::string& capability : plugin->manifest().capabilities) {
    if (!plugin->operation(capability)) {
      throw PluginRejected("manifest declares \"" + capability + "\" but the table has no function for it");
    }
  }
  return plugin;
}

const guichet_connector_v1& Plugin::table() const {
  if (!table_) throw std::logic_error("plugin \"" + manifest_.id + "\" was inspected, not loaded in this process");
  return *table_;
}

Plugin::Operation Plugin::operation(std::string_view capability) const {
  if (!table_ || !manifest_.capabilities.count(std::string(capability))) return nullptr;
  if (capability == "render") return table_->render;
  if (capability == "deliver") return table_->deliver;
  if (capability == "withdraw") return table_->withdraw;
  if (capability == "poll") return table_->poll;
  if (capability == "on_inbound") return table_->on_inbound;
  if (capability == "on_email") return table_->on_email;
  if (capability == "answer" && table_->struct_size >= offsetof(guichet_connector_v1, answer) + sizeof(table_->answer)) {
    return table_->answer;
  }
  return nullptr;
}

}  // namespace guichet::connectors
