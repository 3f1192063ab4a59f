// What a victim may need, one agency request per need (docs/api.md "Need kinds").
#ifndef GUICHET_HUB_DOMAIN_NEED_H
#define GUICHET_HUB_DOMAIN_NEED_H

#include <array>
#include <string_view>

namespace guichet {

inline constexpr std::array<std::string_view, 5> kNeedKinds{"allowance", "employment", "housing",
                                                            "childcare", "psych_support"};

inline bool is_need_kind(std::string_view kind) {
  for (auto known : kNeedKinds) {
    if (known == kind) return true;
  }
  return false;
}

}  // namespace guichet

#endif
