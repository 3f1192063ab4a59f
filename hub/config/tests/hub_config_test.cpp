#include "hub/config/hub_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

namespace guichet::config {
namespace {

namespace fs = std::filesystem;

class HubConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("guichet-config-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& text) {
    fs::path file = dir_ / "guichet.json";
    std::ofstream(file) << text;
    return file;
  }
  std::string error_of(const std::string& text) {
    try {
      load_hub_config(write(text));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "(accepted)";
  }
  fs::path dir_;
};

TEST_F(HubConfigTest, TheShippedConfigLoads) {
  HubConfig c = load_hub_config(GUICHET_CONFIG_FILE);
  EXPECT_EQ(c.http.port, 8080);
  EXPECT_EQ(c.http.host, "127.0.0.1");
  EXPECT_EQ(c.departments_dir.filename(), "departments");
  EXPECT_EQ(c.store.file.filename(), "guichet.db");
}

TEST_F(HubConfigTest, PathsAreRelativeToTheConfigAndTheDataDir) {
  HubConfig c = load_hub_config(write(R"({"data_dir":"data","store":{"file":"x.db"}})"));
  EXPECT_EQ(c.data_dir, dir_ / "data");
  EXPECT_EQ(c.store.file, dir_ / "data" / "x.db");
  EXPECT_EQ(c.secrets_file, dir_ / "data" / "secrets.json");
  HubConfig moved = load_hub_config(write("{}"), {dir_ / "elsewhere", 9000});
  EXPECT_EQ(moved.store.file, dir_ / "elsewhere" / "guichet.db");
  EXPECT_EQ(moved.http.port, 9000);
}

TEST_F(HubConfigTest, APostgresqlStoreTakesItsPasswordFromTheSecretsFile) {
  fs::create_directories(dir_ / "data");
  std::ofstream(dir_ / "data" / "secrets.json") << R"({"pg.password":"s3cret"})";
  HubConfig c = load_hub_config(write(R"({"data_dir":"data","store":{"kind":"postgresql",
      "connection":"host=127.0.0.1 port=5432 dbname=guichet user=guichet","password_secret":"pg.password"}})"));
  EXPECT_EQ(c.store.kind, "postgresql");
  EXPECT_EQ(c.store.connection, "host=127.0.0.1 port=5432 dbname=guichet user=guichet");
  EXPECT_EQ(c.store.password, "s3cret");
  EXPECT_NE(error_of(R"({"store":{"kind":"postgresql"}})").find("store.connection"), std::string::npos);
  std::string missing = error_of(R"({"data_dir":"data","store":{"kind":"postgresql","connection":"x",
      "password_secret":"other"}})");
  EXPECT_NE(missing.find("store.password_secret"), std::string::npos);
  EXPECT_EQ(missing.find("s3cret"), std::string::npos);
}

TEST_F(HubConfigTest, ErrorsNameTheFileAndTheField) {
  EXPECT_NE(error_of("[]").find("guichet.json: (document)"), std::string::npos);
  EXPECT_NE(error_of(R"({"listen":{"port":"80"}})").find("guichet.json: listen.port: must be a whole number"), std::string::npos);
  EXPECT_NE(error_of(R"({"lisen":{}})").find("lisen: unknown setting"), std::string::npos);
  EXPECT_NE(error_of(R"({"store":{"kind":"mysql"}})").find("store.kind"), std::string::npos);
  EXPECT_NE(error_of(R"({"dispatch":{"retry":{"multiplier":100}}})").find("dispatch.retry.multiplier"), std::string::npos);
}

TEST_F(HubConfigTest, TheRateLimitPerReferentHasDefaultsAndBounds) {
  HubConfig defaults = load_hub_config(write("{}"));
  EXPECT_EQ(defaults.rate_limit.per_minute, 600);
  EXPECT_EQ(defaults.rate_limit.burst, 60);
  HubConfig set = load_hub_config(write(R"({"http":{"rate_per_minute":120,"burst":10}})"));
  EXPECT_EQ(set.rate_limit.per_minute, 120);
  EXPECT_EQ(set.rate_limit.burst, 10);
  EXPECT_EQ(load_hub_config(write(R"({"http":{"rate_per_minute":0}})")).rate_limit.per_minute, 0);
  EXPECT_NE(error_of(R"({"http":{"rate_per_minute":-1}})").find("http.rate_per_minute: must be a whole number"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"http":{"burst":0}})").find("http.burst: must be a whole number from 1"), std::string::npos);
  EXPECT_NE(error_of(R"({"http":{"burst":"10"}})").find("http.burst"), std::string::npos);
}

TEST_F(HubConfigTest, DispatchWorkersBatchAndLeaseHaveDefaultsAndBounds) {
  HubConfig defaults = load_hub_config(write("{}"));
  EXPECT_EQ(defaults.dispatch.workers, 4);
  EXPECT_EQ(defaults.dispatch.batch, 32);
  EXPECT_EQ(defaults.dispatch.lease_ms, 60000);
  EXPECT_EQ(defaults.dispatch.handover_rows, 4096u);
  HubConfig set = load_hub_config(write(R"({"dispatch":{"workers":8,"batch":64,"lease_s":120,"handover_rows":0}})"));
  EXPECT_EQ(set.dispatch.workers, 8);
  EXPECT_EQ(set.dispatch.batch, 64);
  EXPECT_EQ(set.dispatch.lease_ms, 120000);
  EXPECT_EQ(set.dispatch.handover_rows, 0u);
  EXPECT_NE(error_of(R"({"dispatch":{"batch":0}})").find("dispatch.batch: must be a whole number from 1"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"dispatch":{"batch":257}})").find("dispatch.batch"), std::string::npos);
}

TEST_F(HubConfigTest, TheLogLevelIsOneOfPocosNames) {
  EXPECT_EQ(load_hub_config(write("{}")).log_level, "information");
  EXPECT_EQ(load_hub_config(write(R"({"log":{"level":"debug"}})")).log_level, "debug");
  EXPECT_NE(error_of(R"({"log":{"level":"trace"}})").find("log.level: must be error, warning"), std::string::npos);
  EXPECT_NE(error_of(R"({"log":{"level":3}})").find("log.level"), std::string::npos);
}

TEST_F(HubConfigTest, OidcIsOptionalAndItsJwksFileIsBesideTheConfig) {
  EXPECT_FALSE(load_hub_config(write("{}")).oidc);
  HubConfig c = load_hub_config(write(R"({"oidc":{"issuer":"https://idp.example.fr","audience":"guichet-95",
      "jwks_file":"keys/jwks.json"}})"));
  ASSERT_TRUE(c.oidc);
  EXPECT_EQ(c.oidc->issuer, "https://idp.example.fr");
  EXPECT_EQ(c.oidc->audience, "guichet-95");
  EXPECT_EQ(c.oidc->jwks_file, dir_ / "keys" / "jwks.json");
  EXPECT_EQ(c.oidc->referent_claim, "sub");
  EXPECT_EQ(c.oidc->department_claim, "dept");
  HubConfig named = load_hub_config(write(R"({"oidc":{"issuer":"i","audience":"a","jwks_file":"/etc/jwks.json",
      "referent_claim":"email","department_claim":"departement"}})"));
  EXPECT_EQ(named.oidc->jwks_file, "/etc/jwks.json");
  EXPECT_EQ(named.oidc->referent_claim, "email");
  EXPECT_EQ(named.oidc->department_claim, "departement");
}

TEST_F(HubConfigTest, OidcErrorsNameTheField) {
  EXPECT_NE(error_of(R"({"oidc":{"audience":"a","jwks_file":"k"}})").find("guichet.json: oidc.issuer: is required"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"oidc":{"issuer":"i","jwks_file":"k"}})").find("oidc.audience: is required"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"oidc":{"issuer":"i","audience":"a"}})").find("oidc.jwks_file: is required"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"oidc":{"issuer":"i","audience":["a"],"jwks_file":"k"}})").find("oidc.audience: must be"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"oidc":{"issuer":"i","audience":"a","jwks_file":"k","audiance":"b"}})")
                .find("oidc.audiance: unknown setting"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"oidc":"https://idp.example.fr"})").find("guichet.json: oidc: must be an object"),
            std::string::npos);
}

TEST_F(HubConfigTest, TheJwtSecretIsCreatedPrivateOnce) {
  fs::path file = dir_ / "var" / "jwt.secret";
  std::string first = load_or_create_jwt_secret(file);
  EXPECT_EQ(first.size(), 64u);
  EXPECT_EQ(load_or_create_jwt_secret(file), first);
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
}

}  // namespace
}  // namespace guichet::config
