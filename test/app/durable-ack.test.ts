// record --ack written (issue 23, "Durable acknowledgements"), as real processes: whichever process a kill -9
// hits, every request that got a 2xx is in the archive; on a full disk no request that is not gets a 2xx.
// Each fault runs the default mode too, which must lose some: the mode is what makes the difference.
// The cases are in faults/durable-ack.ts (test/build/faults-artifact.test.ts runs them against the dist artifacts); here, the test bundle.

import { testBundle } from './faults/bin.ts';
import { durableAckCases } from './faults/durable-ack.ts';

durableAckCases(testBundle);
