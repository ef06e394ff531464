/**
 * Node 22 is written against simdjson 4.x; the newest amalgamation reachable here is 3.9.4 (see
 * sources.ts). Two additions bridge the API, each written the way later simdjson releases have it:
 * - simdjson::pad(std::string&): reserve SIMDJSON_PADDING spare bytes and view the string;
 * - simdjson_result<std::string_view>::get(std::string&): copy the view out on success.
 * The awk script inserts the member right after the generic get(T&) declaration of the public
 * simdjson_result<T>, and the recipe fails if that anchor is not found exactly once.
 */
export const SIMDJSON_SCRIPT = `"$CXX" -std=c++20 -O2 -DSIMDJSON_IMPLEMENTATION_ICELAKE=0 -c src/simdjson.cpp -o simdjson.o
"$AR" rcs "$PREFIX/lib/libsimdjson.a" simdjson.o
awk '
  /^struct simdjson_result : public internal::simdjson_result_base<T> \\{/ { inside = 1 }
  { print }
  inside && /^  simdjson_warn_unused simdjson_inline error_code get\\(T &value\\) && noexcept;$/ {
    print "  template <typename U = T, typename std::enable_if<std::is_same<U, std::string_view>::value, int>::type = 0>"
    print "  simdjson_warn_unused simdjson_inline error_code get(std::string &value) && noexcept {"
    print "    U view; error_code error = std::move(*this).get(view);"
    print "    if (!error) value.assign(view.data(), view.size());"
    print "    return error;"
    print "  }"
    inserted++; inside = 0
  }
  END { if (inserted != 1) { print "simdjson get(std::string&) anchor found " inserted + 0 " times" > "/dev/stderr"; exit 1 } }
' src/simdjson.h > simdjson-bridged.h
# Installed as a system header (as /usr/include would make it): Node builds with -Werror=extra-semi
# and simdjson headers have had stray semicolons.
{ echo '#pragma GCC system_header'; cat simdjson-bridged.h; cat <<'PAD'
#ifndef SIMDJSON_BROKER_PAD
#define SIMDJSON_BROKER_PAD
namespace simdjson {
inline padded_string_view pad(std::string& s) noexcept {
  if (s.capacity() - s.size() < SIMDJSON_PADDING) s.reserve(s.size() + SIMDJSON_PADDING);
  return padded_string_view(s.data(), s.size(), s.capacity());
}
}  // namespace simdjson
#endif
PAD
} > "$PREFIX/include/simdjson.h"`;
