package io.flotilla.provider.ec2;

import java.util.Map;
import org.jclouds.aws.ec2.options.AWSRunInstancesOptions;

/**
 * RunInstances options that also carry TagSpecifications, so the instance holds its tags from
 * the moment EC2 creates it. jclouds' own options have no tag parameters (its portable layer
 * tags in a second call, after the instance exists): here they are added as the form
 * parameters EC2 documents for RunInstances.
 */
final class TaggedRunOptions extends AWSRunInstancesOptions {

  /** Tags the instance itself (volumes and interfaces are not tagged). */
  TaggedRunOptions withInstanceTags(Map<String, String> tags) {
    formParameters.put("TagSpecification.1.ResourceType", "instance");
    int index = 1;
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      formParameters.put("TagSpecification.1.Tag." + index + ".Key", tag.getKey());
      formParameters.put("TagSpecification.1.Tag." + index + ".Value", tag.getValue());
      index++;
    }
    return this;
  }
}
