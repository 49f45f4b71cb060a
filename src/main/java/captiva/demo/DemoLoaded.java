package captiva.demo;

/** Published once the demo tenant exists, so the simulator starts on real rows and no sooner. */
record DemoLoaded(Demo demo) {}
