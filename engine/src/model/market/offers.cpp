// The round's offers: for each nation with labs, every (SKU, route) its labs can buy from, in
// weighing order (SKU order; for each SKU the direct route, then shared routes in route order:
// licences, hubs, clouds); the best value for its labs with and without gray-market access
// (the first strictly cheapest); and which SKUs they reach.

#include "market_detail.hpp"

namespace polarity::model::detail {

namespace {

/// Records `offer` as reached, and as the best, for the labs it is open to: gray offers only
/// for labs that buy gray (slot 1), others for both.
void weigh(const Offer& offer, std::size_t skus, BestOffer* best, char* reach) {
    for (int gray = offer.route == Route::gray ? 1 : 0; gray < 2; ++gray) {
        reach[static_cast<std::size_t>(gray) * skus + static_cast<std::size_t>(offer.sku)] = 1;
        if (better_offer(offer, best[gray])) best[gray] = {offer.value_cost, offer.price_usd, offer.weighing_order};
    }
}

}  // namespace

void gather_offers(const World& world, ClearingState& state) {
    const std::size_t skus = world.skus.size(), nations = world.nations.size();
    const auto& shared = state.shared;
    auto& offers = state.offers;
    auto& start = state.offers_start;
    offers.clear();
    start.assign(nations + 1, 0);
    state.offers_sorted.assign(nations, 0);
    state.best.assign(2 * nations, BestOffer{});
    for (std::size_t n = 0; n < nations; ++n) {
        start[n] = offers.size();
        if (world.nations[n].labs.empty()) continue;
        BestOffer* best = &state.best[2 * n];
        char* reach = &state.reach[2 * n * skus];
        for (std::size_t s = 0; s < skus; ++s) {
            if (state.stock_units[s] <= 0) continue;
            const auto offer = [&](int k, Route route) {
                const auto* via = k < 0 ? nullptr : &shared[static_cast<std::size_t>(k)];
                const double markup = via ? via->markup : 1.0;
                const double price = world.skus[s].price_usd * markup;
                offers.push_back({unit_cost(world, s, markup), price, price / world.skus[s].value_h100e,
                                  static_cast<int>(s), k, via ? via->via : -1,
                                  via ? state.hub_slot[static_cast<std::size_t>(k)] : -1, route,
                                  static_cast<std::uint32_t>(offers.size() - start[n])});
                weigh(offers.back(), skus, best, reach);
            };
            const auto accepts = [&](int k) { return state.takes[static_cast<std::size_t>(k) * skus + s] != 0; };
            if (const DirectRoute d = state.direct_route[n * skus + s]; d != DirectRoute::none)
                offer(-1, d == DirectRoute::domestic ? Route::domestic : Route::legal);
            for (const int k : state.licences_for[n])
                if (accepts(k)) offer(k, Route::licensed);
            if (state.restricted[n])
                for (const int k : state.hubs)
                    if (shared[static_cast<std::size_t>(k)].via != static_cast<int>(n) && accepts(k)) offer(k, Route::gray);
            for (const int k : state.clouds_for[n])
                if (accepts(k)) offer(k, Route::remote);
        }
    }
    start[nations] = offers.size();
}

void refresh_best_offers(const World& world, ClearingState& state) {
    // Stock and route capacity only fall between rounds, so the offers still open are a subset
    // of round one's; the best among them is what gather_offers would find anew.
    const std::size_t skus = world.skus.size(), nations = world.nations.size();
    state.best.assign(2 * nations, BestOffer{});
    for (std::size_t n = 0; n < nations; ++n) {
        BestOffer* best = &state.best[2 * n];
        char* reach = &state.reach[2 * n * skus];
        for (std::size_t i = state.offers_start[n]; i < state.offers_start[n + 1]; ++i) {
            const Offer& offer = state.offers[i];
            if (state.stock_units[static_cast<std::size_t>(offer.sku)] <= 0) continue;
            if (offer.shared_route >= 0 && *state.shared[static_cast<std::size_t>(offer.shared_route)].units_left <= 0)
                continue;
            weigh(offer, skus, best, reach);
        }
    }
}

}  // namespace polarity::model::detail
