// Replays fuzz inputs through a fuzz target's LLVMFuzzerTestOneInput without libFuzzer, so the
// corpus (every input that ever crashed or hung included) runs in `make test` under the
// default g++ build. Arguments are files or folders (read recursively, in sorted order).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        if (fs::is_directory(argv[i])) {
            for (const auto& e : fs::recursive_directory_iterator(argv[i]))
                if (e.is_regular_file()) inputs.push_back(e.path());
        } else {
            inputs.emplace_back(argv[i]);
        }
    }
    std::sort(inputs.begin(), inputs.end());
    double slowest = 0;
    std::string slowest_name;
    for (const auto& path : inputs) {
        std::ifstream in(path, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto t0 = std::chrono::steady_clock::now();
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (secs > slowest) slowest = secs, slowest_name = path.string();
    }
    std::printf("replayed %zu inputs; slowest %.3f s (%s)\n", inputs.size(), slowest, slowest_name.c_str());
    // A loader that answers in seconds where it should answer in milliseconds is a hang in waiting.
    if (slowest > 5.0) {
        std::printf("FAIL: an input took more than 5 s\n");
        return 1;
    }
    return inputs.empty() ? 1 : 0;
}
