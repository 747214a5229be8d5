#!/usr/bin/python3
"""Generate a world-scale scenario for performance work: the baseline grown to the whole world.

    /usr/bin/python3 scenarios/generate_world.py OUT.yaml [--nations 190] [--labs 2000]
                     [--suppliers 30] [--seed 1] [--baseline scenarios/baseline.yaml]

The result is one complete scenario file (no `extends`), derived from scenarios/baseline.yaml:

* the baseline's run, world, algorithms, paradigm and market settings, its blocs and its whole
  policy (export rules, tool controls, remote access, as they are);
* the baseline's seven nations, fourteen labs and four suppliers, unchanged, so every rule keeps
  the destinations, jurisdictions and chips it names;
* generated nations up to `--nations` (about 190: the real world's count), spread over the three
  blocs roughly as the world is (many non-aligned, fewer US-aligned, a few China-aligned), each
  with the tier its bloc implies; a few non-aligned ones are small transshipment hubs;
* generated labs up to `--labs`, each a copy of a baseline lab of the same bloc placed in a
  generated nation, with its funding, cash and start stock scaled down so that the generated
  labs together bring about as much money and compute as the baseline's own (the world has
  more buyers, not a hundred times more money); most are `frontier: false` (clouds and
  enterprises), one in ten competes at the frontier;
* generated suppliers up to `--suppliers`, each a smaller copy of a baseline supplier of the same
  bloc (US designers in the United States, so the US rules cover their chips by threshold;
  Chinese ones in China-aligned nations on US tools; others in non-aligned nations using US
  technology), with two or three SKUs copied from that supplier's with new names.

Everything derived is deterministic: the same arguments give a byte-identical file (the random
choices come from `random.Random(seed)`). Only the standard library and PyYAML are used.

This is a performance scenario: its numbers are scaled copies, not calibrated values.
"""

import argparse
import copy
import os
import random
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))

# Shares of the generated nations by bloc (about 40 US-aligned, 10 China-aligned, the rest non-aligned).
BLOC_SHARES = {"us_aligned": 0.22, "china": 0.05, "nonaligned": 0.73}
TIER_OF_BLOC = {"us_aligned": 1, "china": 3, "nonaligned": 2}
# One generated non-aligned nation in this many is a small transshipment hub.
HUB_EVERY = 25
HUB_CAPACITY_UNITS = (1000, 4000)
# One generated lab in this many competes at the frontier.
FRONTIER_EVERY = 10


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("output", help="scenario file to write")
    p.add_argument("--baseline", default=os.path.join(HERE, "baseline.yaml"))
    p.add_argument("--nations", type=int, default=190)
    p.add_argument("--labs", type=int, default=2000)
    p.add_argument("--suppliers", type=int, default=30)
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args(argv)


def nation_blocs(count, rng):
    """Bloc of each generated nation, in a fixed interleaved order."""
    blocs = []
    for bloc, share in BLOC_SHARES.items():
        blocs += [bloc] * max(1, round(count * share))
    while len(blocs) > count:
        blocs.pop(blocs.index("nonaligned"))
    while len(blocs) < count:
        blocs.append("nonaligned")
    rng.shuffle(blocs)
    return blocs


def make_nations(base, count, rng):
    template = {n["name"]: n for n in base["nations"]}
    nations = copy.deepcopy(base["nations"])
    extra = count - len(nations)
    if extra <= 0:
        return nations, {b: [] for b in BLOC_SHARES}
    generated = {b: [] for b in BLOC_SHARES}
    seen = {b: 0 for b in BLOC_SHARES}
    for i, bloc in enumerate(nation_blocs(extra, rng)):
        seen[bloc] += 1
        like = {"us_aligned": "allies", "china": "prc", "nonaligned": "rest_of_world"}[bloc]
        n = copy.deepcopy(template[like])
        n["name"] = "%s_nation_%03d" % (bloc, seen[bloc])
        n["tier"] = TIER_OF_BLOC[bloc]
        n["gdp_usd"] = float(round(rng.uniform(0.01, 2.0), 3)) * 1e12
        n["state_ai_funding_usd_per_month"] = 0
        n["enforcement_capacity"] = round(rng.uniform(0.2, 0.6), 2)
        n["hub_capacity_units_per_month"] = 0
        if bloc == "nonaligned" and seen[bloc] % HUB_EVERY == 0:
            n["hub_capacity_units_per_month"] = rng.randint(*HUB_CAPACITY_UNITS)
        n["military_compute_share"] = round(rng.uniform(0.0, 0.05), 3)
        nations.append(n)
        generated[bloc].append(n["name"])
    return nations, generated


def make_suppliers(base, count, generated_nations, rng):
    suppliers = copy.deepcopy(base["suppliers"])
    extra = count - len(suppliers)
    # Templates by bloc: US designers, Chinese makers, and for non-aligned makers the AMD-like one.
    us = [s for s in base["suppliers"] if s["nation"] == "united_states"]
    cn = [s for s in base["suppliers"] if s["nation"] == "prc"]
    plan = ["us_aligned", "china", "nonaligned"]
    for i in range(max(0, extra)):
        bloc = plan[i % len(plan)]
        like = rng.choice(us if bloc != "china" else cn)
        s = copy.deepcopy(like)
        s["name"] = "%s_supplier_%02d" % (bloc, i + 1)
        if bloc == "us_aligned":
            s["nation"] = "united_states"
            s["uses_technology_of"] = []
        elif bloc == "china":
            s["nation"] = rng.choice(generated_nations["china"] or ["prc"])
            s["uses_technology_of"] = ["united_states"]
        else:
            s["nation"] = rng.choice(generated_nations["nonaligned"] or ["rest_of_world"])
            s["uses_technology_of"] = ["united_states"]
        scale = rng.uniform(0.02, 0.1)
        s["capacity_units_per_month"] = round(like["capacity_units_per_month"] * scale)
        if s.get("hbm_stacks_per_month", -1) > 0:
            s["hbm_stacks_per_month"] = round(like["hbm_units_per_month"] * scale)
        s["die_bank_units"] = 0
        s["die_bank_draw_per_month"] = 0
        s["design_around"] = False
        skus = [k for k in like["skus"] if "compliant_variant_of" not in k]
        chosen = sorted(rng.sample(range(len(skus)), min(len(skus), rng.choice([2, 3]))))
        s["skus"] = []
        for j in chosen:
            k = copy.deepcopy(skus[j])
            k["name"] = "%s_%s" % (s["name"], k["name"])
            k["price_usd"] = round(k["price_usd"] * rng.uniform(0.8, 1.2))
            s["skus"].append(k)
        suppliers.append(s)
    return suppliers


def make_labs(base, count, generated_nations, rng):
    labs = copy.deepcopy(base["labs"])
    extra = count - len(labs)
    if extra <= 0:
        return labs
    bloc_of = {n["name"]: n["bloc"] for n in base["nations"]}
    templates = {b: [l for l in base["labs"] if bloc_of[l["nation"]] == b] for b in BLOC_SHARES}
    # Generated labs per bloc in proportion to generated nations; at least one per bloc with nations.
    nation_list = [(b, n) for b in BLOC_SHARES for n in generated_nations[b]]
    # The generated labs together bring about the baseline's money and compute again.
    share = len(base["labs"]) / extra
    for i in range(extra):
        bloc, nation = nation_list[i % len(nation_list)]
        like = templates[bloc][rng.randrange(len(templates[bloc]))]
        l = copy.deepcopy(like)
        l["name"] = "lab_%04d_%s" % (i + 1, nation)
        l["nation"] = nation
        jitter = rng.uniform(0.5, 1.5)
        l["funding_usd_per_month"] = float("%.4g" % (like["funding_usd_per_month"] * share * jitter))
        l["cash_usd"] = float("%.4g" % (like["cash_usd"] * share * jitter))
        l["stock"] = [{"sku": h["sku"], "units": round(h["units"] * share * jitter)} for h in like.get("stock", [])]
        l["stock"] = [h for h in l["stock"] if h["units"] > 0]
        l["frontier"] = (i + 1) % FRONTIER_EVERY == 0
        l["algorithmic_efficiency_log10"] = round(like["algorithmic_efficiency_log10"] - rng.uniform(0.0, 0.4), 3)
        if bloc == "china":
            l["risk_appetite"] = round(rng.uniform(0.0, 0.5), 2)
        labs.append(l)
    return labs


def main(argv):
    a = parse_args(argv[1:])
    with open(a.baseline, encoding="utf-8") as f:
        base = yaml.safe_load(f)
    if "extends" in base:
        sys.exit("generate_world.py: the baseline must be a complete scenario (no extends)")
    rng = random.Random(a.seed)
    world = copy.deepcopy(base)
    world["name"] = "world"
    world["description"] = (
        "World-scale performance scenario generated by scenarios/generate_world.py from %s: "
        "%d nations, %d labs, %d suppliers, the baseline's policy. Scaled copies, not calibrated values."
        % (os.path.basename(a.baseline), a.nations, a.labs, a.suppliers))
    world["nations"], generated = make_nations(base, a.nations, rng)
    world["suppliers"] = make_suppliers(base, a.suppliers, generated, rng)
    world["labs"] = make_labs(base, a.labs, generated, rng)
    world.pop("calibration", None)  # targets name the baseline's labs and periods; not for this world
    header = ("# Generated by scenarios/generate_world.py --nations %d --labs %d --suppliers %d --seed %d;\n"
              "# do not edit. World-scale performance scenario derived from %s (see the script).\n"
              % (a.nations, a.labs, a.suppliers, a.seed, os.path.basename(a.baseline)))
    text = header + yaml.safe_dump(world, sort_keys=False, default_flow_style=False, width=1000,
                                   allow_unicode=True)
    tmp = a.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, a.output)


if __name__ == "__main__":
    main(sys.argv)
