// Replays fuzz inputs through a fuzz target's LLVMFuzzerTestOneInput without libFuzzer, so the
// corpus (every input that ever crashed or hung included) runs in `make test` under the
// default g++ build. Arguments are files or folders (read recursively, in sorted order).
#include <algorithm>
#include <ctime>
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
        // CPU time, not wall time: a loaded machine must not make a fast input look slow.
        const std::clock_t t0 = std::clock();
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        const double secs = static_cast<double>(std::clock() - t0) / CLOCKS_PER_SEC;
        if (secs > slowest) slowest = secs, slowest_name = path.string();
    }
    std::printf("replayed %zu inputs; slowest %.3f s of CPU (%s)\n", inputs.size(), slowest, slowest_name.c_str());
    // A loader that answers in seconds where it should answer in milliseconds is a hang in waiting.
    if (slowest > 5.0) {
        std::printf("FAIL: an input took more than 5 s of CPU\n");
        return 1;
    }
    return inputs.empty() ? 1 : 0;
}
