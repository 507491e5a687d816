// Supplies std::ios_base_library_init() (GLIBCXX_3.4.32), the one symbol TorchSharp 0.107's
// libLibTorchSharp.so (built with GCC 13) needs from libstdc++ that GCC 12's libstdc++ (Debian 12,
// Ubuntu 22.04) lacks. GCC 13 emits a call to it from every translation unit that includes <iostream>
// so that the standard streams are initialised; a static ios_base::Init does exactly that.
// Built by src/Mote.Core/build/Mote.Core.TorchNative.targets and loaded globally by TorchRuntime.
#include <ios>

namespace std {
void ios_base_library_init() { static ios_base::Init init; }
}
